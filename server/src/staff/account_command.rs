//! The `user` command line: adding, removing and listing the staff accounts that may sign in.
//!
//! Accounts are managed on the server's own command line rather than in a web page, so that
//! creating the first account needs no sign-in and no account can be created from the network.
//! [`UserAction`] is what clap parses; [`AccountCommand`] is the same request checked (a valid
//! username, an acceptable password read without echo) and ready to carry out.

use std::fmt;
use std::io::{self, BufRead, IsTerminal};

use clap::Subcommand;

use super::password::{check_new_password, hash_password, Password, PasswordRuleBroken};
use super::username::{Username, UsernameProblem};
use crate::storage::{StorageError, Store, UserAdded, UserRemoved};

/// `sanankoroba-receiver user …`, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum UserAction {
    /// Add a staff account, asking for its password twice (not shown as it is typed).
    Add {
        /// Letters a-z, digits and . _ - @, at most 64 characters; kept in lower case.
        username: String,
        /// Read the password from the first line of standard input instead of asking, for
        /// scripts.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a staff account and end its sessions.
    Remove { username: String },
    /// List the staff accounts.
    List,
}

/// A checked account request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCommand {
    Add { username: Username, password: Password },
    Remove { username: Username },
    List,
}

/// Where `user add` gets its password: the terminal or standard input.
pub trait PasswordInput {
    /// The first line of standard input, without its line ending; `None` at end of input.
    fn read_line(&mut self) -> io::Result<Option<String>>;
    /// Whether standard input is a terminal someone can type into.
    fn is_terminal(&self) -> bool;
    /// Shows `prompt` and reads a line without echoing it.
    fn prompt(&mut self, prompt: &str) -> io::Result<String>;
}

/// The process's own standard input and terminal.
pub struct Terminal;

impl PasswordInput for Terminal {
    fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut line = String::new();
        if io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(strip_line_ending(line)))
    }

    fn is_terminal(&self) -> bool {
        io::stdin().is_terminal()
    }

    fn prompt(&mut self, prompt: &str) -> io::Result<String> {
        rpassword::prompt_password(prompt)
    }
}

/// Only the line ending goes: spaces at either end may be part of the password.
fn strip_line_ending(mut line: String) -> String {
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    line
}

#[derive(Debug)]
pub enum AccountCommandError {
    Username(UsernameProblem),
    Password(PasswordRuleBroken),
    /// The two passwords typed differ.
    PasswordsDiffer,
    /// `--password-stdin` was given but standard input was empty.
    NoPasswordOnStdin,
    /// No `--password-stdin`, and no terminal to ask on.
    NoTerminal,
    Read(io::Error),
}

impl fmt::Display for AccountCommandError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountCommandError::Username(problem) => problem.fmt(formatter),
            AccountCommandError::Password(problem) => problem.fmt(formatter),
            AccountCommandError::PasswordsDiffer => formatter.write_str("the two passwords differ; nothing was changed"),
            AccountCommandError::NoPasswordOnStdin => {
                formatter.write_str("--password-stdin was given but standard input is empty; write the password on its first line")
            }
            AccountCommandError::NoTerminal => formatter.write_str(
                "standard input is not a terminal, so the password cannot be asked for; pass --password-stdin and write it on standard input",
            ),
            AccountCommandError::Read(error) => write!(formatter, "the password could not be read: {error}"),
        }
    }
}

impl std::error::Error for AccountCommandError {}

impl AccountCommand {
    /// Checks `action` and, for `add`, reads the new password from `input`. The username is
    /// checked first, so that a typo in it is reported before anyone types a password.
    pub fn from_action(
        action: UserAction,
        input: &mut dyn PasswordInput,
    ) -> Result<AccountCommand, AccountCommandError> {
        match action {
            UserAction::Add { username, password_stdin } => {
                let username = Username::parse(&username).map_err(AccountCommandError::Username)?;
                let password = read_new_password(password_stdin, input)?;
                Ok(AccountCommand::Add { username, password })
            }
            UserAction::Remove { username } => Ok(AccountCommand::Remove {
                username: Username::parse(&username).map_err(AccountCommandError::Username)?,
            }),
            UserAction::List => Ok(AccountCommand::List),
        }
    }
}

/// Carries out a checked command on the store; the line to print on success, or the reason it
/// could not be done.
pub async fn execute(command: AccountCommand, store: &Store) -> Result<String, String> {
    let failed = |error: StorageError| format!("the database could not be used: {error}");
    match command {
        AccountCommand::Add { username, password } => {
            // Argon2 takes a noticeable moment of CPU; off the async runtime's workers.
            let hashed = tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(|error| format!("hashing the password stopped: {error}"))?
                .map_err(|error| error.to_string())?;
            match store.add_user(username.as_str(), hashed.as_phc()).await.map_err(failed)? {
                UserAdded::Added => Ok(format!("added the staff account `{username}`; it can sign in at /admin/")),
                UserAdded::AlreadyExists => Err(format!(
                    "there is already an account named `{username}`; to give it a new password, remove it and add it again"
                )),
            }
        }
        AccountCommand::Remove { username } => match store.remove_user(username.as_str()).await.map_err(failed)? {
            UserRemoved::Removed => Ok(format!("removed the staff account `{username}` and ended its sessions")),
            UserRemoved::NoSuchUser => Err(format!("there is no staff account named `{username}`")),
        },
        AccountCommand::List => {
            let users = store.list_users().await.map_err(failed)?;
            if users.is_empty() {
                return Ok("no staff accounts yet; add one with `sanankoroba-receiver user add NAME`".to_owned());
            }
            let lines: Vec<String> = users
                .iter()
                .map(|user| {
                    format!("{}\tadded {}", user.username, user.created_at.to_rfc3339().get(..10).unwrap_or_default())
                })
                .collect();
            Ok(lines.join("\n"))
        }
    }
}

fn read_new_password(from_stdin: bool, input: &mut dyn PasswordInput) -> Result<Password, AccountCommandError> {
    let password = if from_stdin {
        let line = input.read_line().map_err(AccountCommandError::Read)?;
        Password::new(line.ok_or(AccountCommandError::NoPasswordOnStdin)?)
    } else {
        if !input.is_terminal() {
            return Err(AccountCommandError::NoTerminal);
        }
        let first = Password::new(input.prompt("New password: ").map_err(AccountCommandError::Read)?);
        // Checked before the second prompt, so that a too-short password is not typed twice.
        check_new_password(&first).map_err(AccountCommandError::Password)?;
        let second = Password::new(input.prompt("The same password again: ").map_err(AccountCommandError::Read)?);
        if first != second {
            return Err(AccountCommandError::PasswordsDiffer);
        }
        first
    };
    check_new_password(&password).map_err(AccountCommandError::Password)?;
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Standard input and a terminal, scripted.
    struct Scripted {
        stdin: Option<&'static str>,
        terminal: bool,
        answers: Vec<&'static str>,
        prompts: Vec<String>,
    }

    impl Scripted {
        fn stdin(text: Option<&'static str>) -> Scripted {
            Scripted { stdin: text, terminal: false, answers: Vec::new(), prompts: Vec::new() }
        }

        fn terminal(answers: &[&'static str]) -> Scripted {
            Scripted {
                stdin: None,
                terminal: true,
                answers: answers.iter().rev().copied().collect(),
                prompts: Vec::new(),
            }
        }
    }

    impl PasswordInput for Scripted {
        fn read_line(&mut self) -> io::Result<Option<String>> {
            Ok(self.stdin.take().map(|text| strip_line_ending(text.to_owned())))
        }

        fn is_terminal(&self) -> bool {
            self.terminal
        }

        fn prompt(&mut self, prompt: &str) -> io::Result<String> {
            self.prompts.push(prompt.to_owned());
            self.answers
                .pop()
                .map(str::to_owned)
                .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no more answers"))
        }
    }

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        action: UserAction,
    }

    fn parse(args: &[&str]) -> UserAction {
        Cli::try_parse_from(std::iter::once("user").chain(args.iter().copied())).unwrap().action
    }

    #[test]
    fn the_three_actions_parse() {
        assert_eq!(parse(&["add", "amina"]), UserAction::Add { username: "amina".to_owned(), password_stdin: false });
        assert_eq!(
            parse(&["add", "--password-stdin", "amina"]),
            UserAction::Add { username: "amina".to_owned(), password_stdin: true }
        );
        assert_eq!(parse(&["remove", "amina"]), UserAction::Remove { username: "amina".to_owned() });
        assert_eq!(parse(&["list"]), UserAction::List);
        assert!(Cli::try_parse_from(["user", "add"]).is_err(), "a username is required");
        assert!(Cli::try_parse_from(["user", "rename", "a"]).is_err());
    }

    #[test]
    fn add_reads_the_password_from_stdin_when_asked() {
        let mut input = Scripted::stdin(Some("  a long passphrase  \r\n"));
        let command = AccountCommand::from_action(parse(&["add", "--password-stdin", "Amina"]), &mut input).unwrap();
        assert_eq!(
            command,
            AccountCommand::Add {
                username: Username::parse("amina").unwrap(),
                password: Password::new("  a long passphrase  ")
            }
        );
        assert!(input.prompts.is_empty());
    }

    #[test]
    fn a_short_or_missing_password_on_stdin_is_refused() {
        let error = AccountCommand::from_action(
            parse(&["add", "--password-stdin", "amina"]),
            &mut Scripted::stdin(Some("short\n")),
        );
        assert!(
            matches!(error, Err(AccountCommandError::Password(PasswordRuleBroken::TooShort { chars: 5 }))),
            "{error:?}"
        );
        let error =
            AccountCommand::from_action(parse(&["add", "--password-stdin", "amina"]), &mut Scripted::stdin(None));
        assert!(matches!(error, Err(AccountCommandError::NoPasswordOnStdin)), "{error:?}");
    }

    #[test]
    fn add_asks_twice_on_a_terminal() {
        let mut input = Scripted::terminal(&["a long passphrase", "a long passphrase"]);
        let command = AccountCommand::from_action(parse(&["add", "amina"]), &mut input).unwrap();
        assert!(matches!(command, AccountCommand::Add { password, .. } if password.expose() == "a long passphrase"));
        assert_eq!(input.prompts, ["New password: ", "The same password again: "]);
    }

    #[test]
    fn differing_passwords_are_refused() {
        let mut input = Scripted::terminal(&["a long passphrase", "a long passfrase"]);
        let error = AccountCommand::from_action(parse(&["add", "amina"]), &mut input).unwrap_err();
        assert!(matches!(error, AccountCommandError::PasswordsDiffer), "{error:?}");
    }

    #[test]
    fn a_short_password_is_refused_before_it_is_typed_again() {
        let mut input = Scripted::terminal(&["short", "short"]);
        let error = AccountCommand::from_action(parse(&["add", "amina"]), &mut input).unwrap_err();
        assert!(error.to_string().contains("at least 12"), "{error}");
        assert_eq!(input.prompts.len(), 1);
    }

    #[test]
    fn without_a_terminal_or_stdin_flag_add_says_what_to_do() {
        let error =
            AccountCommand::from_action(parse(&["add", "amina"]), &mut Scripted::stdin(Some("a long passphrase")))
                .unwrap_err();
        assert!(matches!(error, AccountCommandError::NoTerminal), "{error:?}");
        assert!(error.to_string().contains("--password-stdin"), "{error}");
    }

    #[test]
    fn a_bad_username_is_refused_before_any_password_is_asked() {
        let mut input = Scripted::terminal(&["a long passphrase", "a long passphrase"]);
        let error = AccountCommand::from_action(parse(&["add", "amina traore"]), &mut input).unwrap_err();
        assert!(matches!(error, AccountCommandError::Username(UsernameProblem::Character(' '))), "{error:?}");
        assert!(input.prompts.is_empty());
        let error =
            AccountCommand::from_action(parse(&["remove", "x".repeat(65).as_str()]), &mut Scripted::stdin(None))
                .unwrap_err();
        assert_eq!(error.to_string(), "the username has 65 characters; use at most 64");
    }

    #[test]
    fn remove_and_list_need_no_password() {
        let mut input = Scripted::stdin(None);
        assert_eq!(
            AccountCommand::from_action(parse(&["remove", "Amina"]), &mut input).unwrap(),
            AccountCommand::Remove { username: Username::parse("amina").unwrap() }
        );
        assert_eq!(AccountCommand::from_action(parse(&["list"]), &mut input).unwrap(), AccountCommand::List);
    }

    #[test]
    fn debug_never_shows_the_password() {
        let command = AccountCommand::from_action(
            parse(&["add", "--password-stdin", "amina"]),
            &mut Scripted::stdin(Some("hunter2hunter2hunter2")),
        )
        .unwrap();
        let text = format!("{command:?}");
        assert!(!text.contains("hunter2") && text.contains("amina"), "{text}");
    }

    #[test]
    fn only_the_line_ending_is_stripped() {
        assert_eq!(strip_line_ending("pass \n".to_owned()), "pass ");
        assert_eq!(strip_line_ending("pass\r\n".to_owned()), "pass");
        assert_eq!(strip_line_ending("pass".to_owned()), "pass");
        assert_eq!(strip_line_ending("pass\n\n".to_owned()), "pass\n");
    }
}
