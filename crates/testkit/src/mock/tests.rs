//! Matcher, report and server tests: for each rule a matching and a non-matching request.

use wiremock::Request;
use wiremock::http::{HeaderMap, HeaderName, HeaderValue, Method, Url};

use super::*;
use crate::fixture::{Interaction, RequestSpec};

fn spec(json: &str) -> RequestSpec {
    serde_json::from_str(json).unwrap()
}

fn request(method: Method, url: &str, headers: &[(&str, &str)], body: &str) -> Request {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    Request {
        url: Url::parse(&format!("http://127.0.0.1{url}")).unwrap(),
        method,
        headers: map,
        body: body.as_bytes().to_vec(),
    }
}

fn post(url: &str, body: &str) -> Request {
    request(Method::POST, url, &[], body)
}

fn check(spec_json: &str, good: &Request, bad: &Request, needle: &str) {
    let matcher = RequestMatcher::new(&spec(spec_json));
    assert_eq!(matcher.mismatches(good), Vec::<String>::new());
    let found = matcher.mismatches(bad).join("\n");
    assert!(found.contains(needle), "{needle:?} not in {found:?}");
}

#[test]
fn method() {
    let s = r#"{"method":"POST","path":"/v1/pay"}"#;
    let bad = request(Method::GET, "/v1/pay", &[], "");
    check(
        s,
        &post("/v1/pay", ""),
        &bad,
        "method: expected POST, got GET",
    );
}

#[test]
fn path() {
    let s = r#"{"method":"POST","path":"/v1/pay"}"#;
    check(
        s,
        &post("/v1/pay", ""),
        &post("/v1/pay/", ""),
        "path: expected /v1/pay, got /v1/pay/",
    );
}

#[test]
fn query() {
    let s = r#"{"method":"POST","path":"/p","query":{"a":"1 2"}}"#;
    check(
        s,
        &post("/p?a=1%202", ""),
        &post("/p?a=1&b=2", ""),
        "query a: expected \"1 2\", got \"1\"",
    );
    check(
        s,
        &post("/p?a=1+2", ""),
        &post("/p?b=2", ""),
        "query b: not expected",
    );
    check(
        s,
        &post("/p?a=1+2", ""),
        &post("/p?a=1+2&a=3", ""),
        "query a: sent more than once",
    );
    let none = r#"{"method":"POST","path":"/p","query":{}}"#;
    check(
        none,
        &post("/p", ""),
        &post("/p?x=1", ""),
        "query x: not expected",
    );
    let unchecked = RequestMatcher::new(&spec(r#"{"method":"POST","path":"/p"}"#));
    assert!(unchecked.mismatches(&post("/p?x=1", "")).is_empty());
}

#[test]
fn exact_headers_are_case_insensitive_by_name() {
    let s = r#"{"method":"POST","path":"/p","headers":{"Authorization":"Bearer t"}}"#;
    let good = request(Method::POST, "/p", &[("authorization", "Bearer t")], "");
    let bad = request(Method::POST, "/p", &[("authorization", "Bearer u")], "");
    check(
        s,
        &good,
        &bad,
        r#"header Authorization: expected "Bearer t", got ["Bearer u"]"#,
    );
    check(s, &good, &post("/p", ""), "header Authorization: missing");
}

#[test]
fn present_and_absent_headers() {
    let s = r#"{"method":"POST","path":"/p","headers_present":["x-request-id"]}"#;
    let good = request(Method::POST, "/p", &[("X-Request-Id", "42")], "");
    check(
        s,
        &good,
        &post("/p", ""),
        "header x-request-id: missing (must be present)",
    );
    let s = r#"{"method":"POST","path":"/p","headers_absent":["authorization"]}"#;
    let bad = request(Method::POST, "/p", &[("authorization", "Basic x")], "");
    check(
        s,
        &post("/p", ""),
        &bad,
        "header authorization: must not be sent",
    );
}

#[test]
fn json_body_matches_literals_with_wildcards() {
    let s = r#"{"method":"POST","path":"/p","body":{"kind":"json","value":{"amount":10.25,"id":"{{any}}"}}}"#;
    let good = post("/p", r#"{ "id": "x-1", "amount": 10.25 }"#);
    check(
        s,
        &good,
        &post("/p", r#"{"id":"x","amount":10.250}"#),
        "body $.amount: expected 10.25, got 10.250",
    );
    check(
        s,
        &good,
        &post("/p", r#"{"id":"x","amount":"10.25"}"#),
        r#"body $.amount: expected 10.25, got "10.25""#,
    );
    check(
        s,
        &good,
        &post("/p", r#"{"amount":10.25}"#),
        "body $.id: missing",
    );
    check(s, &good, &post("/p", "amount=10.25"), "body: expected JSON");
}

#[test]
fn form_body_is_a_map() {
    let s = r#"{"method":"POST","path":"/p","body":{"kind":"form","value":{"grant_type":"client_credentials","scope":"a b"}}}"#;
    let good = post("/p", "scope=a+b&grant_type=client_credentials");
    let bad = post("/p", "grant_type=password&scope=a%20b");
    check(
        s,
        &good,
        &bad,
        r#"form field grant_type: expected "client_credentials", got "password""#,
    );
    check(
        s,
        &good,
        &post("/p", "grant_type=client_credentials"),
        "form field scope: missing",
    );
}

#[test]
fn text_body_is_exact() {
    let s = r#"{"method":"POST","path":"/p","body":{"kind":"text","value":"a=1"}}"#;
    check(
        s,
        &post("/p", "a=1"),
        &post("/p", "a=1 "),
        "body: expected \"a=1\", got \"a=1 \"",
    );
}

#[test]
fn empty_body_means_none() {
    let s = r#"{"method":"GET","path":"/p","body":{"kind":"empty"}}"#;
    let good = request(Method::GET, "/p", &[], "");
    let bad = request(Method::GET, "/p", &[], "{}");
    check(s, &good, &bad, "body: expected none, got 2 bytes");
}

fn interactions(json: &str) -> Vec<Interaction> {
    serde_json::from_str(json).unwrap()
}

const TWO: &str = r#"[
  {"request":{"method":"POST","path":"/token"},"response":{"status":200}},
  {"request":{"method":"GET","path":"/pay","headers":{"authorization":"Bearer t"}},"response":{"status":200},"times":2}
]"#;

fn get_pay(token: &str) -> Request {
    request(Method::GET, "/pay", &[("authorization", token)], "")
}

#[test]
fn report_accepts_the_recorded_sequence() {
    let received = [post("/token", ""), get_pay("Bearer t"), get_pay("Bearer t")];
    assert_eq!(verify_received(&interactions(TWO), &received), Ok(()));
}

#[test]
fn report_counts_calls() {
    let report = verify_received(
        &interactions(TWO),
        &[post("/token", ""), get_pay("Bearer t")],
    )
    .unwrap_err();
    assert!(
        report.contains("interactions[1] GET /pay: expected 2 call(s), received 1"),
        "{report}"
    );
    assert!(
        report.contains("received:\n  #1 POST /token nothing\n  #2 GET /pay"),
        "{report}"
    );
    let report = verify_received(&interactions(TWO), &[]).unwrap_err();
    assert!(
        report.contains("interactions[0] POST /token: expected 1 call(s), received 0"),
        "{report}"
    );
    assert!(report.contains("received: nothing"), "{report}");
}

#[test]
fn report_explains_the_closest_interaction() {
    let received = [
        post("/token", ""),
        get_pay("Bearer t"),
        get_pay("Bearer stale"),
    ];
    let report = verify_received(&interactions(TWO), &received).unwrap_err();
    assert!(
        report.contains(
            "request #3 GET /pay matched no recorded interaction; closest is interactions[1] \
             GET /pay:\n    header authorization: expected \"Bearer t\", got [\"Bearer stale\"]"
        ),
        "{report}"
    );
}

#[test]
fn report_flags_extra_calls_and_order() {
    let received = [post("/token", ""), post("/token", "")];
    let report = verify_received(&interactions(TWO), &received).unwrap_err();
    assert!(
        report.contains(
            "it equals interactions[0] POST /token, which was already called its 1 time(s)"
        ),
        "{report}"
    );
    let received = [get_pay("Bearer t"), post("/token", ""), get_pay("Bearer t")];
    let report = verify_received(&interactions(TWO), &received).unwrap_err();
    assert!(
        report.contains("request #2 matched interactions[0] after interactions[1]"),
        "{report}"
    );
    let report = verify_received(&[], &[post("/x", "")]).unwrap_err();
    assert!(report.contains("nothing may be sent"), "{report}");
}

#[tokio::test]
async fn server_serves_recorded_responses_in_order() {
    let recorded = interactions(
        r#"[
      {"request":{"method":"GET","path":"/s"},"response":{"status":401,"body":{"kind":"json","value":{"amount":1775.00}}}},
      {"request":{"method":"GET","path":"/s"},"response":{"status":200,"headers":{"x-id":"7"},"body":{"kind":"text","value":"{\"trunc"}}}
    ]"#,
    );
    let server = ScenarioServer::with_interactions(&recorded).await;
    let first = raw_get(&server.uri(), "/s").await;
    assert!(first.starts_with("HTTP/1.1 401"), "{first}");
    assert!(
        first
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{first}"
    );
    assert!(first.ends_with(r#"{"amount":1775.00}"#), "{first}");
    let second = raw_get(&server.uri(), "/s").await;
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    assert!(second.contains("x-id: 7"), "{second}");
    assert!(second.ends_with("{\"trunc"), "{second}");
    let third = raw_get(&server.uri(), "/s").await;
    assert!(third.starts_with("HTTP/1.1 404"), "{third}");
    let report = server.verify().await.unwrap_err();
    assert!(
        report.contains("request #3 GET /s matched no recorded interaction"),
        "{report}"
    );
}

/// A minimal HTTP/1.1 GET over loopback, returning the whole response text.
async fn raw_get(base: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}
