//! The receiver binary as a process of its own, for the tests that kill it, restart it or run
//! two of it on one database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::{new_key, ADMIN_TOKEN};

/// A running receiver process, killed when dropped so that a failing test leaves none behind.
pub struct ReceiverProcess {
    pub child: Child,
    pub base: String,
}

impl ReceiverProcess {
    /// The binary with what every process test shares: a free loopback port, the admin token,
    /// no rate limit, no minimum fill time and no widget files. The test adds the database.
    pub fn command() -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sanankoroba-receiver"));
        command
            .args(["--bind", "127.0.0.1:0", "--admin-token", ADMIN_TOKEN])
            .args(["--rate-limit-per-minute", "0", "--min-fill-ms", "0", "--dist", "/nonexistent/dist"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        command
    }

    /// Starts `command` without waiting: two processes started one after the other this way
    /// run their migrations at the same time.
    pub fn spawn(command: &mut Command) -> Child {
        command.spawn().expect("the receiver binary could not be started")
    }

    /// Waits for the address the process prints once it listens, which is after its
    /// migrations, and keeps reading its output so that later lines never meet a closed pipe.
    pub fn listening(mut child: Child) -> ReceiverProcess {
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped by command()")).lines();
        let first = lines.next().expect("the receiver printed nothing: it failed to start").unwrap();
        let base =
            first.strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line: {first}")).to_owned();
        std::thread::spawn(move || lines.for_each(drop));
        ReceiverProcess { child, base }
    }

    /// Starts `command` and waits until it listens.
    pub fn start(command: &mut Command) -> ReceiverProcess {
        Self::listening(Self::spawn(command))
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ReceiverProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new, empty schema on the PostgreSQL server that `DATABASE_URL` names, for one test.
pub struct PostgresSchema {
    pub name: String,
    /// A URL whose every connection works in the schema: sqlx passes `options` to the server
    /// when it connects, so the processes given it share the schema and nothing else.
    pub url: String,
    /// A pool on the server itself, for the test's own queries and for dropping the schema.
    pub admin: sqlx::PgPool,
}

impl PostgresSchema {
    pub async fn create(prefix: &str) -> PostgresSchema {
        let admin_url = std::env::var("DATABASE_URL").unwrap_or_default();
        assert!(admin_url.starts_with("postgres"), "built for PostgreSQL, but DATABASE_URL does not name a server now");
        let name = format!("{prefix}_{}", new_key().replace('-', "_"));
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("DATABASE_URL names a PostgreSQL server that cannot be reached: {error}"));
        sqlx::raw_sql(&format!("CREATE SCHEMA \"{name}\"")).execute(&admin).await.unwrap();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{name}");
        PostgresSchema { name, url, admin }
    }

    /// Drops the schema with everything in it; the processes using it must have stopped.
    pub async fn drop(self) {
        sqlx::raw_sql(&format!("DROP SCHEMA \"{}\" CASCADE", self.name)).execute(&self.admin).await.unwrap();
        self.admin.close().await;
    }
}
