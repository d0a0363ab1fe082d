//! The network profiles (`--network`): loopback as it is, or an emulated
//! wide-area path through the test kit's shaping proxy
//! ([`oras_testkit::proxy`]), put between every client and every server
//! the harness started (registries, the redirect front and its CDN).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use oras_testkit::proxy::{Proxy, Shape};

/// One network profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Network {
    /// Loopback, no proxy.
    Lan,
    /// 20 ms round trip (10 ms each way), no bandwidth cap.
    Wan20,
    /// 80 ms round trip and 50 MiB/s per connection and direction.
    Wan80,
}

const MIB: u64 = 1024 * 1024;

impl Network {
    /// Every profile, in report order.
    pub(crate) const ALL: [Network; 3] = [Network::Lan, Network::Wan20, Network::Wan80];

    /// The name used by `--network` and in JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Network::Lan => "lan",
            Network::Wan20 => "wan20",
            Network::Wan80 => "wan80",
        }
    }

    /// The profile called `name`.
    pub(crate) fn from_name(name: &str) -> Option<Network> {
        Network::ALL.into_iter().find(|n| n.name() == name)
    }

    /// The profile in words, for the report.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Network::Lan => "loopback",
            Network::Wan20 => "20 ms RTT",
            Network::Wan80 => "80 ms RTT, 50 MiB/s per connection",
        }
    }

    /// The proxy's shape, `None` for loopback.
    pub(crate) fn shape(self) -> Option<Shape> {
        match self {
            Network::Lan => None,
            Network::Wan20 => Some(Shape {
                latency: Duration::from_millis(10),
                ..Shape::default()
            }),
            Network::Wan80 => Some(Shape {
                latency: Duration::from_millis(40),
                rate_per_connection: Some(50 * MIB),
                ..Shape::default()
            }),
        }
    }
}

/// The way to one server under a profile: the server itself on loopback,
/// a proxy in front of it otherwise. Dropping it stops the proxy.
#[derive(Debug)]
pub(crate) struct Route {
    host: String,
    _proxy: Option<Proxy>,
}

impl Route {
    /// The route to `server` (`127.0.0.1:PORT`) under `network`.
    pub(crate) fn to(server: &str, network: Network) -> Result<Route> {
        let Some(shape) = network.shape() else {
            return Ok(Route {
                host: server.to_owned(),
                _proxy: None,
            });
        };
        let upstream: SocketAddr = server
            .parse()
            .with_context(|| format!("{server} is not an address"))?;
        let proxy = Proxy::start(upstream, shape)
            .with_context(|| format!("starting the {} proxy to {server}", network.name()))?;
        Ok(Route {
            host: proxy.addr().to_string(),
            _proxy: Some(proxy),
        })
    }

    /// `127.0.0.1:PORT` clients connect to.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }
}

/// What the proxy models, for the report.
pub(crate) const MODEL: &str = "\
- Network profiles: `lan` is loopback as it is. On `wan20` and `wan80` every client \
  talks to every server (registries, the redirect front and its CDN) through a userspace \
  TCP proxy of the test kit (`oras_testkit::proxy`) on 127.0.0.1, a new one per profile \
  and server. The proxy is a delay line per connection and direction: bytes read at *t* \
  are written at *t* + 10 ms (`wan20`, 20 ms round trip) or *t* + 40 ms (`wan80`, 80 ms \
  round trip), with at most 32 MiB in flight per direction; on `wan80` each connection \
  is also paced at 50 MiB/s per direction (as a CDN's or a long path's per-connection \
  limit). A new connection costs about one round trip before its first response, as a \
  TCP handshake does. The proxy does not model packet loss, retransmission, reordering, \
  slow start or a bottleneck shared between connections: N connections get N × 50 MiB/s. \
  Setting up the data (seeding) goes around the proxy. The proxy runs on two threads of \
  the harness on the same machine, so on the WAN profiles it shares the CPUs with the \
  tool measured (its CPU is not counted in the tool's).
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_lan_has_no_proxy() {
        for network in Network::ALL {
            assert_eq!(Network::from_name(network.name()), Some(network));
        }
        assert_eq!(Network::from_name("wan"), None);
        assert!(Network::Lan.shape().is_none());
        let wan80 = Network::Wan80.shape().unwrap();
        assert_eq!(
            (wan80.latency, wan80.rate_per_connection),
            (Duration::from_millis(40), Some(50 * MIB))
        );
        let route = Route::to("127.0.0.1:5000", Network::Lan).unwrap();
        assert_eq!(route.host(), "127.0.0.1:5000");
        let route = Route::to("127.0.0.1:5000", Network::Wan20).unwrap();
        assert_ne!(route.host(), "127.0.0.1:5000");
    }
}
