//! The bridge's HTTP side: the status page (also the Home Assistant add-on's ingress
//! panel), `/health`, `/metrics` in Prometheus text, and the JSON the page polls.

mod ask;
mod ask_body;
mod config;
mod health;
mod page;
mod server;
mod state;

pub use config::HttpConfig;
pub(crate) use server::spawn;
pub(crate) use state::HttpState;
