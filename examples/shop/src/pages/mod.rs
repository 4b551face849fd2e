//! Server-rendered HTML: plain strings, escaped where they hold data, and no JavaScript.

mod admin;
mod layout;
mod maya;
mod shop;

pub(crate) use admin::{Actions, admin};
pub(crate) use maya::{app as maya_app, landing as maya_landing};
pub(crate) use shop::{error, form_post, home, order, product};
