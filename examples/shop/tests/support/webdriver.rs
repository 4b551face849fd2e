//! The part of the W3C WebDriver protocol the browser test uses, over reqwest: a session,
//! navigation, finding elements by CSS, clicking, reading text, and screenshots.
//!
//! Hand-written rather than a WebDriver crate: it is eight endpoints, and the crates that
//! speak the protocol pull a second copy of `http`, `cookie`, `thiserror` and the ICU family
//! into the graph.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key W3C WebDriver names an element reference with.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long `wait_*` helpers wait, and how often they look.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// One browser session at a WebDriver server.
pub(crate) struct Session {
    http: reqwest::Client,
    base: String,
}

/// An element of the current page.
#[derive(Debug, Clone)]
pub(crate) struct Element(String);

/// A WebDriver command that failed: the command and the server's answer.
#[derive(Debug)]
pub(crate) struct CommandError(pub String);

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CommandError {}

type Result<T> = std::result::Result<T, CommandError>;

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value> {
    let mut request = http.request(method.clone(), url);
    if let Some(body) = &body {
        request = request.json(body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| CommandError(format!("{method} {url}: {e}")))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| CommandError(format!("{method} {url}: HTTP {status}, not JSON: {e}")))?;
    if !status.is_success() {
        return Err(CommandError(format!(
            "{method} {url}: HTTP {status}: {answer}"
        )));
    }
    Ok(answer.get("value").cloned().unwrap_or(Value::Null))
}

impl Session {
    /// Opens a session at the WebDriver server `server` with these capabilities.
    pub(crate) async fn open(server: &str, capabilities: Value) -> Result<Session> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| CommandError(e.to_string()))?;
        let value = call(
            &http,
            reqwest::Method::POST,
            &format!("{server}/session"),
            Some(json!({ "capabilities": { "alwaysMatch": capabilities } })),
        )
        .await?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| CommandError(format!("no sessionId in {value}")))?;
        let session = Session {
            http,
            base: format!("{server}/session/{id}"),
        };
        session
            .post(
                "/timeouts",
                json!({ "pageLoad": 20_000, "script": 5_000, "implicit": 0 }),
            )
            .await?;
        Ok(session)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}{path}", self.base),
            Some(body),
        )
        .await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        call(
            &self.http,
            reqwest::Method::GET,
            &format!("{}{path}", self.base),
            None,
        )
        .await
    }

    /// Navigates to `url` and waits for the page to load.
    pub(crate) async fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", json!({ "url": url })).await.map(drop)
    }

    /// The current page's URL.
    pub(crate) async fn url(&self) -> Result<String> {
        let value = self.get("/url").await?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| CommandError(format!("URL is not text: {value}")))
    }

    /// The element matching `css` now, if any.
    pub(crate) async fn find_now(&self, css: &str) -> Result<Option<Element>> {
        let found = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        Ok(found
            .as_array()
            .and_then(|all| all.first())
            .and_then(|e| e[ELEMENT_KEY].as_str())
            .map(|id| Element(id.to_owned())))
    }

    /// The element matching `css`, waiting up to [`WAIT`] for it to appear.
    pub(crate) async fn find(&self, css: &str) -> Result<Element> {
        let until = Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find_now(css).await? {
                return Ok(element);
            }
            if Instant::now() > until {
                let url = self.url().await.unwrap_or_default();
                return Err(CommandError(format!("no {css} on {url} within {WAIT:?}")));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clicks the element matching `css`.
    pub(crate) async fn click(&self, css: &str) -> Result<()> {
        let Element(id) = self.find(css).await?;
        self.post(&format!("/element/{id}/click"), json!({}))
            .await
            .map(drop)
    }

    /// The rendered text of `element`.
    pub(crate) async fn text_of(&self, element: &Element) -> Result<String> {
        let value = self.get(&format!("/element/{}/text", element.0)).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The rendered text of the element matching `css`.
    pub(crate) async fn text(&self, css: &str) -> Result<String> {
        let element = self.find(css).await?;
        self.text_of(&element).await
    }

    /// Waits up to [`WAIT`] until the current URL satisfies `wanted`; returns it.
    pub(crate) async fn wait_for_url(
        &self,
        what: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let until = Instant::now() + WAIT;
        loop {
            let url = self.url().await?;
            if wanted(&url) {
                return Ok(url);
            }
            if Instant::now() > until {
                return Err(CommandError(format!("still at {url}, waited for {what}")));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits up to [`WAIT`] until the element matching `css` reads `wanted`.
    pub(crate) async fn wait_for_text(&self, css: &str, wanted: &str) -> Result<()> {
        let until = Instant::now() + WAIT;
        loop {
            // The element may belong to a page being replaced: look it up each time.
            let text = match self.find_now(css).await? {
                Some(element) => self.text_of(&element).await.unwrap_or_default(),
                None => String::new(),
            };
            if text.trim() == wanted {
                return Ok(());
            }
            if Instant::now() > until {
                let url = self.url().await.unwrap_or_default();
                return Err(CommandError(format!(
                    "{css} on {url} reads {text:?}, waited for {wanted:?}"
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A PNG of the viewport.
    pub(crate) async fn screenshot(&self) -> Result<Vec<u8>> {
        let value = self.get("/screenshot").await?;
        let encoded = value
            .as_str()
            .ok_or_else(|| CommandError(format!("screenshot is not text: {value}")))?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| CommandError(format!("screenshot is not base64: {e}")))
    }

    /// Ends the session (the browser quits).
    pub(crate) async fn close(self) -> Result<()> {
        call(&self.http, reqwest::Method::DELETE, &self.base, None)
            .await
            .map(drop)
    }
}
