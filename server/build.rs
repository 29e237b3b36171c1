//! Decides at build time whether the PostgreSQL tests run, so that without a PostgreSQL
//! server they are reported as `ignored` with the reason, never as passed.
//!
//! `DATABASE_URL` naming a PostgreSQL server (`postgres://` or `postgresql://`) sets the
//! `postgres_tests` cfg; the tests are then compiled to run and fail loudly when the server
//! cannot be reached. Cargo rebuilds the tests whenever `DATABASE_URL` changes.

fn main() {
    println!("cargo::rerun-if-env-changed=DATABASE_URL");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
