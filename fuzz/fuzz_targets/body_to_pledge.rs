//! Arbitrary bytes as a request body, through the receiver's whole reading path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pledge::ParseFailure;

fuzz_target!(|body: &[u8]| {
    match pledge::parse(body) {
        Ok(pledge) => {
            // Whatever is accepted is valid, and reads back as itself once written out again.
            assert_eq!(pledge.validate(), Ok(()));
            let written = serde_json::to_vec(&pledge).expect("a pledge always serialises");
            assert_eq!(pledge::parse(&written), Ok(pledge));
        }
        Err(ParseFailure::Invalid(errors)) => {
            assert!(!errors.is_empty());
            assert!(errors.iter().all(|error| error.pointer.starts_with('/')));
        }
        Err(ParseFailure::WrongShape(shape)) => {
            assert!(shape.pointer.is_empty() || shape.pointer.starts_with('/'));
        }
        Err(ParseFailure::TooLarge) => assert!(body.len() > pledge::MAX_BODY_BYTES),
        Err(ParseFailure::NotJson { message }) => assert!(!message.is_empty()),
    }
});
