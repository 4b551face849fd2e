//! Mounting a scenario's interactions on a wiremock server and verifying them afterwards.

use wiremock::{Mock, MockServer};

use super::matcher::RequestMatcher;
use super::report::verify_received;
use super::respond::response_template;
use crate::fixture::{Interaction, Scenario};

/// Mounts `interactions` on `server` in order, each answering at most `times` requests and
/// expecting exactly `times` (so wiremock's own verification also holds).
pub async fn mount(server: &MockServer, interactions: &[Interaction]) {
    for (index, interaction) in interactions.iter().enumerate() {
        let request = &interaction.request;
        Mock::given(RequestMatcher::new(request))
            .respond_with(response_template(&interaction.response))
            .up_to_n_times(interaction.times.max(1))
            .expect(interaction.times)
            .named(format!(
                "interactions[{index}] {} {}",
                request.method, request.path
            ))
            .mount(server)
            .await;
    }
}

/// A wiremock server serving one scenario's interactions.
#[derive(Debug)]
pub struct ScenarioServer {
    server: MockServer,
    interactions: Vec<Interaction>,
}

impl ScenarioServer {
    /// Starts a server on loopback and mounts `scenario`'s interactions.
    pub async fn start(scenario: &Scenario) -> Self {
        Self::with_interactions(&scenario.interactions).await
    }

    /// Starts a server on loopback and mounts `interactions`.
    pub async fn with_interactions(interactions: &[Interaction]) -> Self {
        let server = MockServer::start().await;
        mount(&server, interactions).await;
        Self {
            server,
            interactions: interactions.to_vec(),
        }
    }

    /// The base URI, e.g. `http://127.0.0.1:4372`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The underlying wiremock server.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// Checks what was received against the recording (see [`verify_received`]) and shuts the
    /// server down. Never panics: the report comes back as the error.
    pub async fn verify(self) -> Result<(), String> {
        let received = self.server.received_requests().await.unwrap_or_default();
        let verdict = verify_received(&self.interactions, &received);
        // Forget the mocks so wiremock's own check on drop does not panic a second time.
        self.server.reset().await;
        verdict
    }
}
