//! `/v2/`, unknown paths, Basic and Bearer auth with the token endpoint.

use super::support::*;

#[tokio::test]
async fn base_endpoint_answers_200_with_api_version() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let reply = api.get("/v2/").await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("docker-distribution-api-version"),
            Some("registry/2.0")
        );
        assert_eq!(reply.json(), json!({}));
        assert!(registry.host().starts_with("127.0.0.1:"));
        assert_eq!(registry.url(), format!("http://{}", registry.host()));
        assert_ne!(registry.host(), registry.other_host());
    })
    .await;
}

#[tokio::test]
async fn unknown_paths_are_404_and_logged_as_unexpected() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        assert_eq!(api.get("/nope").await.status, 404);
        let reply = api
            .send(Method::POST, "/v2/repo/manifests/latest", &[], Bytes::new())
            .await;
        assert_eq!(reply.status, 405);
        assert_eq!(reply.code(), "UNSUPPORTED");
        assert_eq!(api.get("/v2/").await.status, 200);
        let unexpected = registry.unexpected_requests();
        assert_eq!(unexpected.len(), 2);
        assert_eq!(unexpected[0].path, "/nope");
    })
    .await;
}

#[tokio::test]
async fn basic_auth_challenges_and_accepts_credentials() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::basic("u", "p"))).await;
        let api = Api::new(&registry);
        let reply = api.get("/v2/").await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.code(), "UNAUTHORIZED");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Basic realm=\"fake-registry\"")
        );
        let ok = api
            .send(
                Method::GET,
                "/v2/",
                &[("authorization", "Basic dTpw")],
                Bytes::new(),
            )
            .await;
        assert_eq!(ok.status, 200);
        let wrong = api
            .send(
                Method::GET,
                "/v2/",
                &[("authorization", "Basic dTp4")],
                Bytes::new(),
            )
            .await;
        assert_eq!(wrong.status, 401);
        let log = registry.requests();
        assert!(!log[0].has_authorization());
        assert_eq!(log[1].authorization(), Some("Basic dTpw"));
        assert_eq!(log[1].status, 200);
    })
    .await;
}

#[tokio::test]
async fn bearer_auth_issues_scoped_tokens() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("u", "p"))).await;
        let api = Api::new(&registry);
        let seeded = registry.put_blob("team/app", &b"data"[..]);
        let blob_path = format!("/v2/team/app/blobs/{seeded}");

        // Challenge with realm, service and scope.
        let reply = api.get(&blob_path).await;
        assert_eq!(reply.status, 401);
        let challenge = reply.header("www-authenticate").unwrap();
        assert_eq!(
            challenge,
            format!(
                "Bearer realm=\"{}/token\",service=\"fake-registry\",scope=\"repository:team/app:pull\"",
                registry.url()
            )
        );

        // Anonymous token: issued, but grants nothing.
        let anon = api
            .get("/token?service=fake-registry&scope=repository:team/app:pull")
            .await;
        assert_eq!(anon.status, 200);
        let anon_token = anon.json()["token"].as_str().unwrap().to_owned();
        let bearer = format!("Bearer {anon_token}");
        let refused = api
            .send(Method::GET, &blob_path, &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(refused.status, 401);
        assert!(refused.header("www-authenticate").unwrap().contains("error=\"insufficient_scope\""));

        // With credentials: pull granted, push not asked for.
        let got = api
            .send(
                Method::GET,
                "/token?service=fake-registry&scope=repository:team/app:pull",
                &[("authorization", "Basic dTpw")],
                Bytes::new(),
            )
            .await;
        assert_eq!(got.status, 200);
        let token = got.json()["access_token"].as_str().unwrap().to_owned();
        let bearer = format!("Bearer {token}");
        let pulled = api
            .send(Method::GET, &blob_path, &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(pulled.status, 200);
        assert_eq!(&pulled.body[..], b"data");
        let push = api
            .send(Method::POST, "/v2/team/app/blobs/uploads/", &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(push.status, 401);
        assert!(
            push.header("www-authenticate")
                .unwrap()
                .contains("scope=\"repository:team/app:pull,push\"")
        );

        // Wrong credentials at the token endpoint.
        let wrong = api
            .send(
                Method::GET,
                "/token?service=fake-registry&scope=repository:team/app:pull",
                &[("authorization", "Basic dTp4")],
                Bytes::new(),
            )
            .await;
        assert_eq!(wrong.status, 401);

        // Revocation forces a new token.
        registry.revoke_tokens();
        let revoked = api
            .send(Method::GET, &blob_path, &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(revoked.status, 401);
        assert!(revoked.header("www-authenticate").unwrap().contains("error=\"invalid_token\""));

        let log = registry.token_requests();
        assert_eq!(registry.token_request_count(), 3);
        assert_eq!(log[0].username, None);
        assert!(log[0].granted.is_empty());
        assert_eq!(log[1].username.as_deref(), Some("u"));
        assert_eq!(log[1].granted, ["repository:team/app:pull"]);
        assert_eq!(log[1].scopes, ["repository:team/app:pull"]);
        assert_eq!(log[2].status, 401);
    })
    .await;
}

#[tokio::test]
async fn bearer_auth_oauth2_password_and_refresh_grants() {
    bounded(async {
        let mut bearer = BearerAuth::new("u", "p");
        bearer.refresh_token = Some("identity-token".into());
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::Bearer(bearer))).await;
        let api = Api::new(&registry);
        let form = [("content-type", "application/x-www-form-urlencoded")];

        let password = api
            .send(
                Method::POST,
                "/token",
                &form,
                "grant_type=password&username=u&password=p&service=fake-registry&client_id=oras-go&scope=repository%3Aa%3Apull%2Cpush+registry%3Acatalog%3A%2A",
            )
            .await;
        assert_eq!(password.status, 200);
        let answer = password.json();
        assert_eq!(answer["scope"], "repository:a:pull,push registry:catalog:*");
        let access = answer["access_token"].as_str().unwrap();
        let refresh = answer["refresh_token"].as_str().unwrap().to_owned();
        let auth = format!("Bearer {access}");
        let catalog = api
            .send(Method::GET, "/v2/_catalog", &[("authorization", &auth)], Bytes::new())
            .await;
        assert_eq!(catalog.status, 200);
        let post = api
            .send(Method::POST, "/v2/a/blobs/uploads/", &[("authorization", &auth)], Bytes::new())
            .await;
        assert_eq!(post.status, 202);

        for token in [refresh.as_str(), "identity-token"] {
            let body = format!(
                "grant_type=refresh_token&refresh_token={token}&service=fake-registry&client_id=oras-go&scope=repository%3Aa%3Apull"
            );
            let reply = api.send(Method::POST, "/token", &form, body).await;
            assert_eq!(reply.status, 200, "refresh with {token}");
        }
        let bad = api
            .send(
                Method::POST,
                "/token",
                &form,
                "grant_type=refresh_token&refresh_token=nope&service=fake-registry&client_id=x",
            )
            .await;
        assert_eq!(bad.status, 401);
        let no_client = api
            .send(Method::POST, "/token", &form, "grant_type=password&username=u&password=p&service=fake-registry")
            .await;
        assert_eq!(no_client.status, 400);
        let tokens = registry.token_requests();
        assert_eq!(tokens.len(), 5);
        assert!(tokens[1].used_refresh_token);
        assert_eq!(tokens[0].grant_type.as_deref(), Some("password"));
        assert_eq!(tokens[0].client_id.as_deref(), Some("oras-go"));
    })
    .await;
}

#[tokio::test]
async fn bearer_anonymous_pull_switch_grants_pull_only() {
    bounded(async {
        let mut bearer = BearerAuth::new("u", "p");
        bearer.anonymous_pull = true;
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::Bearer(bearer))).await;
        let api = Api::new(&registry);
        let reply = api
            .get("/token?service=fake-registry&scope=repository:r:pull,push")
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(registry.token_requests()[0].granted, ["repository:r:pull"]);
        let auth = format!("Bearer {}", reply.json()["token"].as_str().unwrap());
        let tags = api
            .send(
                Method::GET,
                "/v2/r/tags/list",
                &[("authorization", &auth)],
                Bytes::new(),
            )
            .await;
        assert_eq!(tags.status, 404, "authorised; the repository is unknown");
        let push = api
            .send(
                Method::POST,
                "/v2/r/blobs/uploads/",
                &[("authorization", &auth)],
                Bytes::new(),
            )
            .await;
        assert_eq!(push.status, 401);
    })
    .await;
}

#[tokio::test]
async fn bearer_mount_needs_pull_on_the_source() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("u", "p"))).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("source", &b"shared"[..]);
        let token = |scopes: &'static str| {
            let api = &api;
            async move {
                let reply = api
                    .send(
                        Method::GET,
                        &format!("/token?service=fake-registry&{scopes}"),
                        &[("authorization", "Basic dTpw")],
                        Bytes::new(),
                    )
                    .await;
                format!("Bearer {}", reply.json()["token"].as_str().unwrap())
            }
        };
        let path = format!("/v2/target/blobs/uploads/?mount={digest}&from=source");
        let push_only = token("scope=repository:target:pull,push").await;
        let reply = api
            .send(
                Method::POST,
                &path,
                &[("authorization", &push_only)],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 202, "no pull on the source: a plain session");
        let both = token("scope=repository:target:pull,push&scope=repository:source:pull").await;
        let reply = api
            .send(
                Method::POST,
                &path,
                &[("authorization", &both)],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 201);
    })
    .await;
}
