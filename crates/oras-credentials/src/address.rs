//! Server addresses: the keys credentials are stored under.
//!
//! Docker keeps Docker Hub credentials under `https://index.docker.io/v1/`
//! whether the user typed `docker.io` or traffic goes to
//! `registry-1.docker.io` (oras-go `ServerAddressFromRegistry`,
//! `ServerAddressFromHostname`); every other registry is `host[:port]`.

/// The key Docker uses for Docker Hub.
pub const DOCKER_HUB_SERVER_ADDRESS: &str = "https://index.docker.io/v1/";

/// The store key for a registry name as the user wrote it (`docker.io`,
/// `localhost:5000`).
pub fn server_address_from_registry(registry: &str) -> String {
    match registry {
        "docker.io" | "registry-1.docker.io" => DOCKER_HUB_SERVER_ADDRESS.to_string(),
        other => other.to_string(),
    }
}

/// The store key for the `host[:port]` a request goes to.
pub fn server_address_from_hostname(hostname: &str) -> String {
    match hostname {
        "registry-1.docker.io" => DOCKER_HUB_SERVER_ADDRESS.to_string(),
        other => other.to_string(),
    }
}

/// A config key reduced to `host[:port]`: legacy files store keys such as
/// `https://registry.example/` (docker/cli `ConvertToHostname`).
pub fn to_hostname(address: &str) -> &str {
    let address = address
        .strip_prefix("http://")
        .or_else(|| address.strip_prefix("https://"))
        .unwrap_or(address);
    address.split('/').next().unwrap_or(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_and_others() {
        assert_eq!(
            server_address_from_registry("docker.io"),
            DOCKER_HUB_SERVER_ADDRESS
        );
        assert_eq!(
            server_address_from_registry("registry-1.docker.io"),
            DOCKER_HUB_SERVER_ADDRESS
        );
        assert_eq!(
            server_address_from_registry("localhost:5000"),
            "localhost:5000"
        );
        assert_eq!(
            server_address_from_hostname("registry-1.docker.io"),
            DOCKER_HUB_SERVER_ADDRESS
        );
        assert_eq!(server_address_from_hostname("docker.io"), "docker.io");
        assert_eq!(server_address_from_hostname("ghcr.io"), "ghcr.io");
    }

    #[test]
    fn legacy_keys_reduce_to_hostnames() {
        assert_eq!(to_hostname("https://r.example/"), "r.example");
        assert_eq!(to_hostname("http://r.example:5000/v1/"), "r.example:5000");
        assert_eq!(to_hostname("r.example"), "r.example");
        assert_eq!(
            to_hostname("https://index.docker.io/v1/"),
            "index.docker.io"
        );
    }
}
