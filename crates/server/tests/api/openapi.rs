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

/// Every status a route answers is in its description, and the request bodies say what is valid.
#[tokio::test]
async fn statuses_and_body_formats_are_described() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app.get_json("/openapi.json").await;
    let statuses = |method: &str, path: &str| -> Vec<String> {
        spec["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has no responses"))
            .keys()
            .cloned()
            .collect()
    };
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            assert!(
                statuses(method, path).contains(&"408".to_owned()),
                "{method} {path}: 408 request_timeout is not described"
            );
        }
    }
    for (method, path, expected) in [
        (
            "post",
            "/generate-jwt",
            &["200", "400", "401", "403", "413", "415", "429", "503"][..],
        ),
        (
            "post",
            "/api/session",
            &["200", "400", "401", "403", "413", "415", "429", "503"][..],
        ),
        (
            "post",
            "/api/accounts",
            &["201", "400", "403", "409", "413", "415", "429", "503"][..],
        ),
        (
            "post",
            "/gate/v1/events",
            &["202", "400", "401", "403", "413", "415", "503"][..],
        ),
    ] {
        let described = statuses(method, path);
        for status in expected {
            assert!(
                described.iter().any(|s| s == status),
                "{method} {path}: {status} is not described ({described:?})"
            );
        }
    }
    let token_description =
        spec["paths"]["/generate-jwt"]["post"]["responses"]["503"]["description"]
            .as_str()
            .unwrap();
    assert!(
        token_description.contains("identity_provider_unavailable"),
        "{token_description}"
    );

    let schemas = &spec["components"]["schemas"];
    let property = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();
    for schema in ["TokenRequest", "SignIn", "NewAccount"] {
        let email = property(schema, "email");
        assert_eq!(email["format"], "email", "{schema}: {email}");
        assert_eq!(email["maxLength"], 254, "{schema}: {email}");
    }
    assert_eq!(property("TokenRequest", "uuid")["format"], "uuid");
    assert_eq!(property("NewAccount", "password")["minLength"], 12);
    assert_eq!(property("NewAccount", "password")["maxLength"], 256);
    assert_eq!(property("SignIn", "password")["minLength"], 1);
    assert_eq!(
        schemas["NewAccount"]["required"],
        serde_json::json!(["email", "password"])
    );
    assert_eq!(
        schemas["TokenRequest"]["required"],
        serde_json::json!(["email"])
    );
    let action = property("EventBody", "action");
    assert_eq!(
        action["pattern"], "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
        "{action}"
    );
    assert_eq!(
        schemas["EventClient"]["properties"]["uuid"]["format"],
        "uuid"
    );
    // A body's schema never allows `null`, which the service refuses.
    for path in [
        "/generate-jwt",
        "/api/session",
        "/api/accounts",
        "/gate/v1/events",
    ] {
        let body =
            &spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert!(body["$ref"].is_string(), "{path}: {body}");
    }
    // The replies are the structs the handlers answer with.
    assert_eq!(property("SessionInfo", "expiresAt")["format"], "date-time");
    assert_eq!(property("TokenResponse", "uuid")["format"], "uuid");
}

/// A body of `null` is refused as it is described (not an object), and an absent body is what a
/// signed-in customer may send.
#[tokio::test]
async fn what_the_token_body_description_allows_is_accepted() {
    let app = TestApp::spawn().await;
    let response = app
        .generate_jwt(&serde_json::json!({"email": "ann@example.com", "other": 1}))
        .await;
    assert_eq!(response.status(), 200);
    crate::helpers::assert_error(
        app.generate_jwt(&serde_json::Value::Null).await,
        400,
        "invalid_body",
    )
    .await;
}

/// The published token-endpoint contract describes the bodies exactly as the served
/// `/openapi.json` does, and its 200 and 429/503 headers are described there too.
#[tokio::test]
async fn the_published_contract_is_what_openapi_json_serves() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app.get_json("/openapi.json").await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(synerise_auth_server::contract::SCHEMA_FILE);
    let contract: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for name in ["TokenResponse", "ErrorBody"] {
        assert_eq!(
            contract["$defs"][name],
            spec["components"]["schemas"][name],
            "{name} differs between {} and /openapi.json",
            file.display()
        );
    }
    let responses = &spec["paths"]["/generate-jwt"]["post"]["responses"];
    for header in ["Cache-Control", "Date"] {
        assert!(responses["200"]["headers"][header].is_object(), "{header}");
    }
    for status in ["429", "503"] {
        assert!(
            responses[status]["headers"]["Retry-After"].is_object(),
            "{status}"
        );
    }
}
