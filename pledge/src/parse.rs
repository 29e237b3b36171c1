//! From the raw bytes of a request body to a validated pledge: the one path a receiver needs.

use std::fmt;

use serde_json::error::Category;
use serde_path_to_error::{Path, Segment};

use crate::{FieldError, Pledge};

/// The largest body a receiver has to read. A pledge with every field at its limit, written with
/// every character outside ASCII escaped and pretty-printed, stays well below it.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// Why a body did not yield a valid pledge. Each kind maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseFailure {
    /// The body is longer than [`MAX_BODY_BYTES`].
    TooLarge,
    /// The body is not JSON, or not shaped like a pledge: a field is missing, unknown or of the
    /// wrong type. `pointer` locates the offending value when the parser got that far into
    /// the document (`""` is the whole document); `message` is the parser's own explanation.
    Malformed { pointer: Option<String>, message: String },
    /// A well-formed pledge that breaks the contract's rules, in document order.
    Invalid(Vec<FieldError>),
}

impl ParseFailure {
    /// The status a receiver answers with: 413, 400 or 422.
    pub fn http_status(&self) -> u16 {
        match self {
            ParseFailure::TooLarge => 413,
            ParseFailure::Malformed { .. } => 400,
            ParseFailure::Invalid(_) => 422,
        }
    }
}

impl fmt::Display for ParseFailure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseFailure::TooLarge => {
                write!(formatter, "the body is longer than {MAX_BODY_BYTES} bytes")
            }
            ParseFailure::Malformed { pointer: Some(pointer), message } => {
                write!(formatter, "malformed pledge at \"{pointer}\": {message}")
            }
            ParseFailure::Malformed { pointer: None, message } => {
                write!(formatter, "malformed pledge: {message}")
            }
            ParseFailure::Invalid(errors) => {
                write!(formatter, "the pledge breaks {} rule(s)", errors.len())
            }
        }
    }
}

impl std::error::Error for ParseFailure {}

/// Reads a request body as a pledge and validates it.
///
/// Nesting is bounded by serde_json's recursion limit, so a deeply nested body is refused with an
/// error rather than exhausting the stack.
pub fn parse(body: &[u8]) -> Result<Pledge, ParseFailure> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseFailure::TooLarge);
    }
    let pledge = read(body)?;
    pledge.validate().map_err(ParseFailure::Invalid)?;
    Ok(pledge)
}

fn read(body: &[u8]) -> Result<Pledge, ParseFailure> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let pledge: Pledge = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        // Only a shape error has a meaningful path; a syntax error's path is wherever the
        // parser happened to stop, which the message's line and column already say better.
        let pointer = match error.inner().classify() {
            Category::Data => Some(json_pointer(error.path())),
            Category::Io | Category::Syntax | Category::Eof => None,
        };
        ParseFailure::Malformed { pointer, message: error.into_inner().to_string() }
    })?;
    deserializer
        .end()
        .map_err(|error| ParseFailure::Malformed { pointer: None, message: error.to_string() })?;
    Ok(pledge)
}

/// RFC 6901: `~` and `/` inside a key are escaped as `~0` and `~1`.
fn json_pointer(path: &Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            // The pledge has no enum with data, so an enum segment adds nothing to locate.
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let body = br#"{"a/b~c": 1}"#;
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let error = serde_path_to_error::deserialize::<_, std::collections::BTreeMap<String, bool>>(
            &mut deserializer,
        )
        .unwrap_err();
        assert_eq!(json_pointer(error.path()), "/a~1b~0c");
    }

    #[test]
    fn each_failure_has_its_status() {
        assert_eq!(ParseFailure::TooLarge.http_status(), 413);
        let malformed = ParseFailure::Malformed { pointer: None, message: String::new() };
        assert_eq!(malformed.http_status(), 400);
        assert_eq!(ParseFailure::Invalid(Vec::new()).http_status(), 422);
    }
}
