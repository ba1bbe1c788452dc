//! The local LLM server (being written).
