//! Binding, serving and graceful shutdown.
//!
//! Start-up is two steps so that a supervisor learns the port only once the model is
//! usable: [`Server::bind`] validates the settings, loads the model and binds; then
//! [`Server::run`] serves until the shutdown token fires. [`serve`] does both.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::api::{AppState, router};
use crate::config::Config;
use crate::engine::Engine;
use crate::error::Error;

/// The start of the line `hive-llm` prints on standard output once it serves, followed by a
/// space and the base URL (`HIVE_LLM_READY http://127.0.0.1:PORT`).
pub const READY_PREFIX: &str = "HIVE_LLM_READY";

/// The ready line for a server at `addr`.
#[must_use]
pub fn ready_line(addr: SocketAddr) -> String {
    format!("{READY_PREFIX} http://{addr}")
}

/// A loaded model and a bound socket, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    engine: Engine,
    addr: SocketAddr,
    grace: Duration,
}

impl Server {
    /// Validates `config`, loads the model (once; it stays in memory), and binds.
    ///
    /// # Errors
    /// [`Error::Config`] and [`Error::ModelNotFound`] from validation, [`Error::ModelLoad`]
    /// and [`Error::Context`] from llama.cpp, [`Error::Bind`] from the socket.
    pub async fn bind(config: Config) -> Result<Server, Error> {
        config.validate()?;
        if !config.host.is_loopback() {
            tracing::warn!(host = %config.host, "Listening beyond loopback; the API has no authentication.");
        }
        let engine = Engine::start(&config).await?;
        let wanted = config.addr();
        let listener = TcpListener::bind(wanted)
            .await
            .map_err(|source| Error::Bind {
                addr: wanted,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: wanted,
            source,
        })?;
        Ok(Server {
            listener,
            engine,
            addr,
            grace: config.grace,
        })
    }

    /// The address actually bound (with the port picked when 0 was asked for).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`; the API is under `/v1`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The model name clients see.
    #[must_use]
    pub fn model_name(&self) -> &str {
        &self.engine.info().name
    }

    /// Serves until `shutdown` is cancelled, then stops accepting, gives in-flight requests
    /// the grace period to finish, stops generation, and frees the model.
    ///
    /// # Errors
    /// [`Error::Serve`] if the HTTP server fails.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), Error> {
        let Server {
            listener,
            engine,
            addr,
            grace,
        } = self;
        let info = engine.info().clone();
        let app = router(AppState::new(engine.handle(), &info.name));
        tracing::info!(url = %format_args!("http://{addr}"), model = %info.name, context = info.context, "Serving.");
        let signal = shutdown.clone();
        let mut server = tokio::spawn(
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { signal.cancelled().await })
                .into_future(),
        );
        let finished = tokio::select! {
            finished = &mut server => finished,
            () = shutdown.cancelled() => {
                tracing::info!(grace_ms = grace.as_millis(), "Shutting down; letting in-flight requests finish.");
                match tokio::time::timeout(grace, &mut server).await {
                    Ok(finished) => finished,
                    Err(_) => {
                        tracing::warn!("Grace period expired; stopping generation.");
                        engine.stop();
                        match tokio::time::timeout(grace, &mut server).await {
                            Ok(finished) => finished,
                            Err(_) => {
                                tracing::warn!("Connections still open; closing them.");
                                server.abort();
                                Ok(Ok(()))
                            }
                        }
                    }
                }
            }
        };
        engine.join().await;
        tracing::info!("Stopped.");
        match finished {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(Error::Serve(error)),
            Err(join) => Err(Error::Serve(std::io::Error::other(join))),
        }
    }
}

/// Loads the model, binds, and serves until `shutdown` is cancelled.
///
/// # Errors
/// See [`Server::bind`] and [`Server::run`].
pub async fn serve(config: Config, shutdown: CancellationToken) -> Result<(), Error> {
    let server = Server::bind(config).await?;
    server.run(shutdown).await
}
