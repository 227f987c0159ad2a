//! `/openapi.json` describes every route, and only routes that exist.

use crate::helpers::TestApp;

#[tokio::test]
async fn every_route_is_described_and_every_described_route_answers() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app.get_json("/openapi.json").await;
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().unwrap();

    let mut described: Vec<(String, String)> = Vec::new();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            described.push((method.to_uppercase(), path.clone()));
        }
    }
    described.sort();
    // Every route the service has (the demo site's pages and files aside).
    let mut expected = vec![
        ("POST", "/generate-jwt"),
        ("POST", "/api/session"),
        ("GET", "/api/session"),
        ("DELETE", "/api/session"),
        ("POST", "/api/accounts"),
        ("GET", "/public-key"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        // the event gate, mounted in dev mode
        ("POST", "/gate/v1/events"),
        ("GET", "/gate/v1/events"),
        ("GET", "/gate/v1/events/stream"),
    ];
    expected.sort_unstable();
    for (method, path) in &expected {
        assert!(
            described.iter().any(|(m, p)| m == method && p == path),
            "{method} {path} is not in /openapi.json"
        );
    }
    // and nothing described is missing from the router
    for (method, path) in &described {
        let concrete = path.replace("{id}", "1");
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(&concrete))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(
            status != 404 && status != 405,
            "{method} {path} is described but answers {status}"
        );
    }
    // error replies are described with their schema
    assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}
