//! The receiver over real HTTP on 127.0.0.1, with a SQLite file in a temporary folder.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod assets;
mod contract;
mod health;
mod inbox;
mod malformed;
mod pledges;
mod protection;
mod proxy;
mod review;
mod webhooks_admin;
