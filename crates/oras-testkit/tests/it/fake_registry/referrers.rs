//! The referrers API, its filters and its switches.

use super::support::*;

/// Pushes a subject and three referrers (two of type `t/one`).
async fn referrers_fixture(api: &Api) -> (Vec<u8>, Vec<Digest>) {
    let subject = image_with_blobs(api, "r", b"layer", json!({})).await;
    let mut referrers = Vec::new();
    for (i, artifact_type) in ["t/one", "t/two", "t/one"].iter().enumerate() {
        let manifest = image(
            b"{}",
            &[b"layer"],
            json!({
                "artifactType": artifact_type,
                "subject": subject_of(&subject),
                "annotations": {"n": i.to_string()},
            }),
        );
        let reply = api
            .put_manifest(
                "r",
                &Digest::sha256(&manifest).to_string(),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("oci-subject"),
            Some(Digest::sha256(&subject).to_string().as_str())
        );
        referrers.push(Digest::sha256(&manifest));
    }
    (subject, referrers)
}

#[tokio::test]
async fn referrers_api_lists_and_filters() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        // Referrers pushed before their subject exists are accepted.
        let (subject, referrers) = referrers_fixture(&api).await;
        let subject_digest = Digest::sha256(&subject);
        let path = format!("/v2/r/referrers/{subject_digest}");

        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some(media_type::IMAGE_INDEX));
        assert_eq!(reply.header("oci-filters-applied"), None);
        let index = reply.json();
        assert_eq!(index["schemaVersion"], 2);
        assert_eq!(index["mediaType"], media_type::IMAGE_INDEX);
        let listed = index["manifests"].as_array().unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0]["digest"], referrers[0].to_string());
        assert_eq!(listed[0]["artifactType"], "t/one");
        assert_eq!(listed[0]["annotations"], json!({"n": "0"}));
        assert_eq!(listed[1]["mediaType"], media_type::IMAGE_MANIFEST);

        let filtered = api.get(&format!("{path}?artifactType=t%2Fone")).await;
        assert_eq!(filtered.header("oci-filters-applied"), Some("artifactType"));
        assert_eq!(filtered.json()["manifests"].as_array().unwrap().len(), 2);

        let empty_filter = api.get(&format!("{path}?artifactType=")).await;
        assert_eq!(empty_filter.header("oci-filters-applied"), None);
        assert_eq!(
            empty_filter.json()["manifests"].as_array().unwrap().len(),
            3
        );
        let unknown = api
            .get(&format!("/v2/r/referrers/{}", Digest::sha256(b"none")))
            .await;
        assert_eq!(
            (unknown.status, unknown.json()["manifests"].clone()),
            (200, json!([]))
        );
        let unknown_repo = api
            .get(&format!("/v2/nothing/referrers/{subject_digest}"))
            .await;
        assert_eq!(unknown_repo.status, 200);
        let bad = api.get("/v2/r/referrers/sha256:bad").await;
        assert_eq!((bad.status, bad.code()), (400, "DIGEST_INVALID".into()));

        // Deleting a referrer removes it from the list.
        api.delete(&format!("/v2/r/manifests/{}", referrers[1]))
            .await;
        assert_eq!(
            api.get(&path).await.json()["manifests"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn referrers_page_size_switch_paginates() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            referrers_page_size: Some(2),
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let (subject, referrers) = referrers_fixture(&api).await;
        let path = format!("/v2/r/referrers/{}", Digest::sha256(&subject));
        let first = api.get(&path).await;
        assert_eq!(first.json()["manifests"].as_array().unwrap().len(), 2);
        let link = first.header("link").unwrap().to_owned();
        let next = link.trim_start_matches('<').split('>').next().unwrap();
        assert!(next.starts_with(&path));
        let second = api.get(next).await;
        let rest = second.json()["manifests"].as_array().unwrap().clone();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0]["digest"], referrers[2].to_string());
        assert_eq!(second.header("link"), None);
    })
    .await;
}

#[tokio::test]
async fn referrers_switches() {
    bounded(async {
        // No API: plain 404, no NAME_UNKNOWN, no OCI-Subject.
        let off = FakeRegistry::start(FakeConfig {
            referrers_api: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&off);
        let subject = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let referrer = image(b"{}", &[b"layer"], json!({"subject": subject_of(&subject)}));
        let put = api
            .put_manifest("r", "ref", media_type::IMAGE_MANIFEST, &referrer)
            .await;
        assert_eq!((put.status, put.header("oci-subject")), (201, None));
        let reply = api
            .get(&format!("/v2/r/referrers/{}", Digest::sha256(&subject)))
            .await;
        assert_eq!(reply.status, 404);
        assert!(!String::from_utf8_lossy(&reply.body).contains("NAME_UNKNOWN"));
        assert!(serde_json::from_slice::<Value>(&reply.body).is_err());
        assert!(off.unexpected_requests().is_empty());

        // No OCI-Subject, API still there.
        let quiet = FakeRegistry::start(FakeConfig {
            oci_subject_header: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&quiet);
        let subject = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let referrer = image(b"{}", &[b"layer"], json!({"subject": subject_of(&subject)}));
        let put = api
            .put_manifest("r", "ref", media_type::IMAGE_MANIFEST, &referrer)
            .await;
        assert_eq!((put.status, put.header("oci-subject")), (201, None));
        let list = api
            .get(&format!("/v2/r/referrers/{}", Digest::sha256(&subject)))
            .await;
        assert_eq!(list.json()["manifests"].as_array().unwrap().len(), 1);

        // Filtered without saying so.
        let unsaid = FakeRegistry::start(FakeConfig {
            filters_applied_header: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&unsaid);
        let (subject, _) = referrers_fixture(&api).await;
        let reply = api
            .get(&format!(
                "/v2/r/referrers/{}?artifactType=t%2Fone",
                Digest::sha256(&subject)
            ))
            .await;
        assert_eq!(reply.header("oci-filters-applied"), None);
        assert_eq!(reply.json()["manifests"].as_array().unwrap().len(), 2);

        // Not filtering at all.
        let unfiltered = FakeRegistry::start(FakeConfig {
            referrers_filtering: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&unfiltered);
        let (subject, _) = referrers_fixture(&api).await;
        let reply = api
            .get(&format!(
                "/v2/r/referrers/{}?artifactType=t%2Fone",
                Digest::sha256(&subject)
            ))
            .await;
        assert_eq!(reply.header("oci-filters-applied"), None);
        assert_eq!(reply.json()["manifests"].as_array().unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn missing_subject_is_accepted_with_oci_subject() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        api.push_blob("r", b"{}").await;
        let ghost = desc(media_type::IMAGE_MANIFEST, b"never pushed");
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_MANIFEST,
            "artifactType": "application/x.example",
            "config": desc(media_type::EMPTY_JSON, b"{}"),
            "layers": [desc(media_type::EMPTY_JSON, b"{}")],
            "subject": ghost,
        }))
        .unwrap();
        let reply = api
            .put_manifest("r", "ref", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("oci-subject"),
            Some(Digest::sha256(b"never pushed").to_string().as_str())
        );
        let list = api
            .get(&format!(
                "/v2/r/referrers/{}",
                Digest::sha256(b"never pushed")
            ))
            .await;
        assert_eq!(
            list.json()["manifests"][0]["artifactType"],
            "application/x.example"
        );
    })
    .await;
}
