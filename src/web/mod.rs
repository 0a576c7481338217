//! Browser front end and worker runtime (feature `web`).
