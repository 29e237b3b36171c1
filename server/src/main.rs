use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sanankoroba_receiver::config::Command;
use sanankoroba_receiver::http::openapi;
use sanankoroba_receiver::staff::account_command::{self, AccountCommand, Terminal, UserAction};
use sanankoroba_receiver::storage::Store;
use sanankoroba_receiver::{config, logging, server, Args};

/// How long in-flight requests may take to finish after a stop signal.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => return refuse_arguments(error),
    };
    if args.print_openapi {
        print!("{}", openapi::document_text());
        return ExitCode::SUCCESS;
    }
    if let Some(Command::User(action)) = args.command {
        return run_account_command(action, &args.database_url).await;
    }
    logging::init();
    let (settings, token_generated) = match args.into_settings() {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = match server::start(settings.clone(), async {
        let _ = stopped.await;
    })
    .await
    {
        Ok(running) => running,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Test harnesses and `cargo xtask demo` read these lines from standard output.
    println!("listening on http://{}", running.local_addr);
    println!("demo page: {}/", running.public_url);
    println!("partner kit: {}/kit/", running.public_url);
    println!("staff inbox: {}/admin/", running.public_url);
    if token_generated {
        println!("admin token: {}", settings.admin_token);
    }

    stop_signal().await;
    tracing::info!("stopping: no new connections; answering the requests in flight");
    let _ = stop.send(());
    match tokio::time::timeout(DRAIN_LIMIT, running.wait()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("error: requests were still running {} s after the stop signal", DRAIN_LIMIT.as_secs());
            ExitCode::FAILURE
        }
    }
}

/// clap's own message, which names the flag, and the environment variable that may have set
/// the value; `--help` and `--version` print as usual.
fn refuse_arguments(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let message = error.render().to_string();
    let message = message.trim_end();
    let about_a_value = matches!(error.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation);
    match config::variable_of_refused_flag(&error).filter(|_| about_a_value) {
        Some((flag, variable)) => {
            eprintln!("{message}\n(the value comes from {flag} or the environment variable {variable})")
        }
        None => eprintln!("{message}"),
    }
    ExitCode::from(2)
}

/// `user add|remove|list` on the database the receiver uses, without starting it.
async fn run_account_command(action: UserAction, database_url: &str) -> ExitCode {
    let command = match AccountCommand::from_action(action, &mut Terminal) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    if let Err(why) = config::check_database_url(database_url) {
        eprintln!("error: --database-url / DATABASE_URL: {why}");
        return ExitCode::from(2);
    }
    let store = match Store::open_url(database_url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: the database could not be opened: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = account_command::execute(command, &store).await;
    store.close().await;
    match outcome {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM from a service manager or container runtime.
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
