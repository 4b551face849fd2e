//! The shop's routes: pages for the buyer and the admin, and the callback routes.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::catalog;
use crate::checkout::{self, Next, order_path};
use crate::error::ShopError;
use crate::maya_app;
use crate::pages;
use crate::provider::Provider;
use crate::state::ShopState;

type Shared = State<Arc<ShopState>>;

impl IntoResponse for ShopError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Html(pages::error(&self))).into_response()
    }
}

/// Every route of the shop over `state`.
pub(crate) fn router(state: Arc<ShopState>) -> Result<Router, paykit_axum::RouteError> {
    let callbacks = crate::callbacks::router(&state)?;
    Ok(Router::new()
        .route("/", get(home))
        .route("/products/{id}", get(product))
        .route("/orders", post(place_order))
        .route("/orders/{id}", get(order))
        .route("/orders/{id}/return", get(order_return))
        .route("/admin", get(admin))
        .route("/admin/orders/{id}/capture", post(capture))
        .route("/admin/orders/{id}/refund", post(refund))
        .route("/maya/app/{id}", get(maya_app))
        .route("/maya/app/{id}/open", post(maya_open))
        .route("/maya/landing", get(maya_landing))
        .route("/maya/orders/{id}/pay", post(maya_pay))
        .with_state(state)
        .merge(callbacks))
}

async fn home() -> Html<String> {
    Html(pages::home())
}

async fn product(Path(id): Path<String>) -> Result<Html<String>, ShopError> {
    let product =
        catalog::product(&id).ok_or_else(|| ShopError::NotFound(format!("product {id}")))?;
    Ok(Html(pages::product(product)))
}

/// The order form.
#[derive(Debug, Deserialize)]
struct OrderForm {
    product: String,
    provider: String,
    /// A checkbox: present ("on") when ticked.
    hold: Option<String>,
}

async fn place_order(
    State(state): Shared,
    Form(form): Form<OrderForm>,
) -> Result<Response, ShopError> {
    let product = catalog::product(&form.product)
        .ok_or_else(|| ShopError::NotFound(format!("product {}", form.product)))?;
    let provider: Provider = form
        .provider
        .parse()
        .map_err(|e: crate::provider::UnknownProvider| ShopError::BadRequest(e.to_string()))?;
    let (_, next) = checkout::place(&state, product, provider, form.hold.is_some()).await?;
    Ok(match next {
        Next::Go(url) => Redirect::to(&url).into_response(),
        Next::Post { url, fields } => Html(pages::form_post(&url, &fields)).into_response(),
    })
}

fn known_order(state: &ShopState, id: &str) -> Result<crate::orders::Order, ShopError> {
    state
        .book
        .get(id)
        .ok_or_else(|| ShopError::NotFound(format!("order {id}")))
}

async fn order(State(state): Shared, Path(id): Path<String>) -> Result<Html<String>, ShopError> {
    Ok(Html(pages::order(&known_order(&state, &id)?)))
}

/// Where the providers send the buyer back: asks the provider if the callback has not
/// decided the order yet, then shows the order page.
async fn order_return(State(state): Shared, Path(id): Path<String>) -> Result<Redirect, ShopError> {
    let order = known_order(&state, &id)?;
    checkout::refresh(&state, &order).await;
    Ok(Redirect::to(&order_path(&id)))
}

async fn admin(State(state): Shared) -> Html<String> {
    let orders: Vec<_> = state
        .book
        .all()
        .into_iter()
        .map(|order| {
            let actions = checkout::actions(&state, &order);
            (order, actions)
        })
        .collect();
    Html(pages::admin(&orders))
}

async fn capture(State(state): Shared, Path(id): Path<String>) -> Result<Redirect, ShopError> {
    checkout::capture(&state, &id).await?;
    Ok(Redirect::to("/admin"))
}

async fn refund(State(state): Shared, Path(id): Path<String>) -> Result<Redirect, ShopError> {
    checkout::refund(&state, &id).await?;
    Ok(Redirect::to("/admin"))
}

async fn maya_app(State(state): Shared, Path(id): Path<String>) -> Result<Html<String>, ShopError> {
    Ok(Html(pages::maya_app(&known_order(&state, &id)?)))
}

async fn maya_open(State(state): Shared, Path(id): Path<String>) -> Result<Redirect, ShopError> {
    let landing = maya_app::open(&state, &id).await?;
    Ok(Redirect::to(&landing))
}

/// The landing page's query: Maya appends the `sessionId` the Session URL answered.
#[derive(Debug, Deserialize)]
struct Landing {
    order: String,
    #[serde(rename = "sessionId")]
    session_id: String,
}

async fn maya_landing(
    State(state): Shared,
    Query(landing): Query<Landing>,
) -> Result<Html<String>, ShopError> {
    let order = maya_app::land(&state, &landing.order, &landing.session_id).await?;
    Ok(Html(pages::maya_landing(&order)))
}

async fn maya_pay(State(state): Shared, Path(id): Path<String>) -> Result<Redirect, ShopError> {
    let order_page = maya_app::pay(&state, &id).await?;
    Ok(Redirect::to(&order_page))
}
