//! From the raw bytes of a request body to a validated pledge: the one path a receiver needs.

use std::fmt;

use serde_json::Value;
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
    /// The body is not JSON: broken syntax or UTF-8, trailing data, or nesting beyond the
    /// parser's recursion limit. The message gives the line and column.
    NotJson { message: String },
    /// JSON, but not shaped like a pledge. This is reported like a refused field.
    WrongShape(ShapeError),
    /// A well-formed pledge that breaks the contract's rules, in document order.
    Invalid(Vec<FieldError>),
}

/// Where and how a JSON document differs from the shape of a pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// A JSON Pointer (RFC 6901) to the offending member; for a missing member, where it belongs.
    pub pointer: String,
    pub code: ShapeCode,
    /// The parser's explanation, without a position, which the pointer gives better.
    pub message: String,
}

/// The kinds of shape error, named like [`crate::ErrorCode`]s in problem responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShapeCode {
    UnknownField,
    MissingField,
    DuplicateField,
    InvalidType,
    /// The right type with a value outside it: an unknown enum variant, a negative count, etc.
    InvalidValue,
}

impl ShapeCode {
    pub const ALL: [ShapeCode; 5] = [
        ShapeCode::UnknownField,
        ShapeCode::MissingField,
        ShapeCode::DuplicateField,
        ShapeCode::InvalidType,
        ShapeCode::InvalidValue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShapeCode::UnknownField => "unknown_field",
            ShapeCode::MissingField => "missing_field",
            ShapeCode::DuplicateField => "duplicate_field",
            ShapeCode::InvalidType => "invalid_type",
            ShapeCode::InvalidValue => "invalid_value",
        }
    }
}

impl ParseFailure {
    /// The status a receiver answers with: 413, 400, or 422 for anything about the pledge's fields.
    pub fn http_status(&self) -> u16 {
        match self {
            ParseFailure::TooLarge => 413,
            ParseFailure::NotJson { .. } => 400,
            ParseFailure::WrongShape(_) | ParseFailure::Invalid(_) => 422,
        }
    }
}

impl fmt::Display for ParseFailure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseFailure::TooLarge => {
                write!(formatter, "the body is longer than {MAX_BODY_BYTES} bytes")
            }
            ParseFailure::NotJson { message } => {
                write!(formatter, "the body is not JSON: {message}")
            }
            ParseFailure::WrongShape(shape) => {
                write!(formatter, "{} at \"{}\": {}", shape.code.as_str(), shape.pointer, shape.message)
            }
            ParseFailure::Invalid(errors) => {
                write!(formatter, "the pledge breaks {} rule(s)", errors.len())
            }
        }
    }
}

impl std::error::Error for ParseFailure {}

/// Reads a request body strictly (unknown and duplicate fields and trailing data are refused) as
/// a pledge, and validates it.
///
/// Nesting deeper than serde_json's recursion limit (128 levels) is refused as not JSON, long
/// before it could exhaust the stack.
pub fn parse(body: &[u8]) -> Result<Pledge, ParseFailure> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseFailure::TooLarge);
    }
    let pledge = read(body)?;
    pledge.validate().map_err(ParseFailure::Invalid)?;
    Ok(pledge)
}

fn read(body: &[u8]) -> Result<Pledge, ParseFailure> {
    // The untyped pass alone decides whether the body is JSON at all. The typed pass stops at
    // the first member it dislikes, so a truncated body could otherwise pass for a shape error.
    let document: Value =
        serde_json::from_slice(body).map_err(|error| ParseFailure::NotJson { message: error.to_string() })?;
    // The typed pass reads the bytes again rather than the document, whose map has already
    // merged duplicate members that must be refused.
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let pledge = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| ParseFailure::WrongShape(shape_error(error.inner(), error.path())))?;
    // serde reads an array where a struct belongs as the struct's fields in order; the contract
    // has no arrays, so a pledge read that way is refused.
    if let Some(pointer) = first_array(&document, String::new()) {
        return Err(ParseFailure::WrongShape(ShapeError {
            pointer,
            code: ShapeCode::InvalidType,
            message: "invalid type: array, expected an object".to_owned(),
        }));
    }
    Ok(pledge)
}

fn first_array(value: &Value, pointer: String) -> Option<String> {
    match value {
        Value::Array(_) => Some(pointer),
        Value::Object(members) => {
            members.iter().find_map(|(key, member)| first_array(member, format!("{pointer}/{}", escape(key))))
        }
        _ => None,
    }
}

/// serde's errors are plain text with stable openings ("unknown field `nickname`, expected one
/// of …"), so the kind, and the member a field error names, are read from them.
fn shape_error(error: &serde_json::Error, path: &Path) -> ShapeError {
    let full = error.to_string();
    let message = match full.rfind(" at line ") {
        Some(at) => full[..at].to_owned(),
        None => full,
    };
    let named_member = || message.split('`').nth(1);
    let (code, member) = if message.starts_with("unknown field") {
        (ShapeCode::UnknownField, named_member())
    } else if message.starts_with("missing field") {
        (ShapeCode::MissingField, named_member())
    } else if message.starts_with("duplicate field") {
        (ShapeCode::DuplicateField, named_member())
    } else if message.starts_with("invalid type") {
        (ShapeCode::InvalidType, None)
    } else {
        (ShapeCode::InvalidValue, None)
    };
    let mut pointer = json_pointer(path);
    if let Some(member) = member {
        // The path stops at the object for a missing member, and sometimes for an unknown one.
        let last = format!("/{}", escape(member));
        if !pointer.ends_with(&last) {
            pointer.push_str(&last);
        }
    }
    ShapeError { pointer, code, message }
}

fn json_pointer(path: &Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape(key));
            }
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            // The pledge has no enum carrying data, so a variant adds nothing to locate.
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    pointer
}

/// RFC 6901: `~` and `/` inside a key are written `~0` and `~1`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(escape("~1"), "~01");
    }

    #[test]
    fn codes_have_distinct_snake_case_names() {
        let names: std::collections::HashSet<&str> = ShapeCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(names.len(), ShapeCode::ALL.len());
        assert!(names.iter().all(|name| name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn shape_codes_never_shadow_field_codes() {
        for code in crate::ErrorCode::ALL {
            let name = serde_json::to_value(code).unwrap();
            assert!(ShapeCode::ALL.iter().all(|shape| name != shape.as_str()), "{name}");
        }
    }

    #[test]
    fn each_failure_has_its_status() {
        assert_eq!(ParseFailure::TooLarge.http_status(), 413);
        assert_eq!(ParseFailure::NotJson { message: String::new() }.http_status(), 400);
        let shape = ShapeError { pointer: String::new(), code: ShapeCode::InvalidType, message: String::new() };
        assert_eq!(ParseFailure::WrongShape(shape).http_status(), 422);
        assert_eq!(ParseFailure::Invalid(Vec::new()).http_status(), 422);
    }
}
