//! Model files: the catalogue, provisioning, fetching and conversion.
