//! Hive's skills: what the bridge can do besides asking an LLM.
