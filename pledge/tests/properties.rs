//! Properties over generated pledges: every valid pledge validates and survives serde exactly;
//! every mutation that breaks the shape or a rule is refused, and nothing panics.

mod common;

use pledge::{limits, ErrorCode, FieldError, Pledge};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Deserialises and validates, as the receiver does, with or without the `json` feature.
fn accepts(value: &Value) -> bool {
    serde_json::from_value::<Pledge>(value.clone()).is_ok_and(|pledge| pledge.validate().is_ok())
}

/// A valid pledge as JSON, and one of the pointers into it that `choose` offers.
fn valid_json_and_pointer(choose: fn(&Value) -> Vec<String>) -> impl Strategy<Value = (Value, String)> {
    common::any_valid_pledge().prop_map(|pledge| serde_json::to_value(pledge).unwrap()).prop_flat_map(move |value| {
        let pointers = prop::sample::select(choose(&value));
        (Just(value), pointers)
    })
}

fn required_members(value: &Value) -> Vec<String> {
    common::all_pointers(value)
        .into_iter()
        .filter(|pointer| !common::OPTIONAL_MEMBERS.contains(&pointer.as_str()))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    common::all_pointers(value)
        .into_iter()
        .filter(|pointer| value.pointer(pointer).is_some_and(Value::is_string))
        .collect()
}

/// The honeypot is a bot's playground: only its length is a rule.
fn strings_with_character_rules(value: &Value) -> Vec<String> {
    strings(value).into_iter().filter(|pointer| pointer != "/anti_spam/honeypot").collect()
}

/// Every object, the whole document (`""`) included.
fn objects(value: &Value) -> Vec<String> {
    let mut objects: Vec<String> = common::all_pointers(value)
        .into_iter()
        .filter(|pointer| value.pointer(pointer).is_some_and(Value::is_object))
        .collect();
    objects.push(String::new());
    objects
}

/// Arbitrary JSON, nested a few levels, with strings that include control characters.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |number| number.is_finite()).prop_map(Value::from),
        "\\PC{0,30}|[\\x00-\\x1f]{0,4}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A value of another JSON type than `original`, which no field of a pledge can accept.
fn other_type(original: &Value, pick: usize) -> Value {
    let candidates = [json!(null), json!(true), json!(7), json!(-3.5), json!("x"), json!([]), json!({})];
    let differs = |candidate: &&Value| {
        std::mem::discriminant(*candidate) != std::mem::discriminant(original)
            && !(original.is_number() && candidate.is_number())
    };
    let others: Vec<&Value> = candidates.iter().filter(differs).collect();
    others[pick % others.len()].clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn valid_pledges_validate(pledge in common::any_valid_pledge()) {
        prop_assert_eq!(pledge.validate(), Ok(()));
    }

    #[test]
    fn serde_round_trips_exactly(pledge in common::any_valid_pledge()) {
        let text = serde_json::to_string(&pledge).unwrap();
        prop_assert_eq!(&serde_json::from_str::<Pledge>(&text).unwrap(), &pledge);
        let pretty = serde_json::to_string_pretty(&pledge).unwrap();
        let escaped = common::escape_non_ascii(&pretty);
        prop_assert_eq!(&serde_json::from_str::<Pledge>(&escaped).unwrap(), &pledge);
        let value = serde_json::to_value(&pledge).unwrap();
        let from_value = serde_json::from_value::<Pledge>(value).unwrap();
        prop_assert_eq!(&from_value, &pledge);
        // Text to pledge to text changes nothing, not even the order of the members.
        prop_assert_eq!(serde_json::to_string(&from_value).unwrap(), text);
    }

    #[test]
    fn dropping_a_required_member_is_refused(
        (value, pointer) in valid_json_and_pointer(required_members)
    ) {
        let mut mutated = value;
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        mutated.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(member);
        prop_assert!(!accepts(&mutated));
        #[cfg(feature = "json")]
        prop_assert_eq!(shape(&mutated), Some((pointer.clone(), pledge::ShapeCode::MissingField)));
    }

    #[test]
    fn a_member_of_the_wrong_type_is_refused(
        (value, pointer) in valid_json_and_pointer(common::all_pointers),
        pick in any::<usize>(),
    ) {
        let mut mutated = value;
        let target = mutated.pointer_mut(&pointer).unwrap();
        let replacement = other_type(target, pick);
        // A JSON null is how a client may spell an absent declaration or contact detail.
        prop_assume!(!(common::NULLABLE_MEMBERS.contains(&pointer.as_str()) && replacement.is_null()));
        *target = replacement;
        prop_assert!(!accepts(&mutated));
        #[cfg(feature = "json")]
        prop_assert_eq!(shape(&mutated).map(|(pointer, _)| pointer), Some(pointer));
    }

    #[test]
    fn an_extra_member_anywhere_is_refused(
        (value, parent) in valid_json_and_pointer(objects),
        name in "[a-z_]{1,16}",
        extra in any_json(),
    ) {
        let mut mutated = value;
        let object = mutated.pointer_mut(&parent).unwrap().as_object_mut().unwrap();
        prop_assume!(!object.contains_key(&name));
        object.insert(name.clone(), extra);
        prop_assert!(!accepts(&mutated));
        #[cfg(feature = "json")]
        {
            let expected = Some((format!("{parent}/{name}"), pledge::ShapeCode::UnknownField));
            prop_assert_eq!(shape(&mutated), expected);
        }
    }

    #[test]
    fn an_overlong_string_is_refused(
        (value, pointer) in valid_json_and_pointer(strings),
        filler in "\\PC",
    ) {
        let mut mutated = value;
        let longest_limit = limits::PAGE_URL;
        let target = mutated.pointer_mut(&pointer).unwrap();
        let long = format!("{}{}", target.as_str().unwrap(), filler.repeat(longest_limit + 1));
        *target = Value::from(long);
        prop_assert!(!accepts(&mutated));
    }

    #[test]
    fn a_control_character_in_a_string_is_refused(
        (value, pointer) in valid_json_and_pointer(strings_with_character_rules),
        control in "[\\x00-\\x1f\\x7f-\\x9f]",
        position in any::<prop::sample::Index>(),
    ) {
        let mut mutated = value;
        let target = mutated.pointer_mut(&pointer).unwrap();
        let mut text = target.as_str().unwrap().to_owned();
        let boundaries: Vec<usize> = text.char_indices().map(|(at, _)| at).chain([text.len()]).collect();
        text.insert_str(*position.get(&boundaries), &control);
        *target = Value::from(text);
        prop_assert!(!accepts(&mutated));
    }

    /// A contact detail left out, or written as null, is refused exactly when its consent asks
    /// for it, and a detail whose consent is withdrawn is refused as not consented to.
    #[test]
    fn contact_details_follow_their_consents(pledge in common::any_valid_pledge(), null in any::<bool>()) {
        let value = serde_json::to_value(&pledge).unwrap();
        let details = [
            ("phone", "phone", pledge.consent.phone),
            ("postal_address", "post", pledge.consent.post && pledge.gift_aid.is_none()),
        ];
        for (member, channel, needed) in details {
            let mut left_out = value.clone();
            let donor = left_out["donor"].as_object_mut().unwrap();
            if null {
                donor.insert(member.to_owned(), Value::Null);
            } else {
                donor.remove(member);
            }
            prop_assert_eq!(accepts(&left_out), !needed, "{} left out", member);
            if value["donor"].get(member).is_some() {
                let mut withdrawn = value.clone();
                withdrawn["consent"][channel] = json!(false);
                let errors = serde_json::from_value::<Pledge>(withdrawn).unwrap().validate();
                let expected = FieldError::new(&format!("/donor/{member}"), ErrorCode::NotConsented);
                prop_assert_eq!(errors, Err(vec![expected]));
            }
        }
    }

    /// Whatever JSON replaces a member, reading never panics, and whatever is accepted is
    /// accepted again after a round trip.
    #[test]
    fn arbitrary_json_in_place_of_a_member_never_panics(
        (value, pointer) in valid_json_and_pointer(common::all_pointers),
        replacement in any_json(),
    ) {
        let mut mutated = value;
        *mutated.pointer_mut(&pointer).unwrap() = replacement;
        if let Ok(pledge) = serde_json::from_value::<Pledge>(mutated) {
            let outcome = pledge.validate();
            let again: Pledge = serde_json::from_str(&serde_json::to_string(&pledge).unwrap()).unwrap();
            prop_assert_eq!(again.validate(), outcome);
            prop_assert_eq!(again, pledge);
        }
    }
}

#[cfg(feature = "json")]
fn shape(value: &Value) -> Option<(String, pledge::ShapeCode)> {
    match pledge::parse(&serde_json::to_vec(value).unwrap()) {
        Err(pledge::ParseFailure::WrongShape(shape)) => Some((shape.pointer, shape.code)),
        _ => None,
    }
}

#[cfg(feature = "json")]
proptest! {
    #[test]
    fn the_body_parser_accepts_every_valid_pledge(pledge in common::any_valid_pledge()) {
        let compact = serde_json::to_vec(&pledge).unwrap();
        prop_assert_eq!(pledge::parse(&compact), Ok(pledge.clone()));
        let escaped = common::escape_non_ascii(&serde_json::to_string_pretty(&pledge).unwrap());
        prop_assert_eq!(pledge::parse(escaped.as_bytes()), Ok(pledge));
    }

    /// Arbitrary bytes spliced into a valid body: an answer every time, never a panic, and an
    /// accepted pledge is one that validates.
    #[test]
    fn the_body_parser_never_panics_on_spliced_bytes(
        pledge in common::any_valid_pledge(),
        at in any::<prop::sample::Index>(),
        cut in 0usize..8,
        noise in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut body = serde_json::to_vec(&pledge).unwrap();
        let at = at.index(body.len());
        let end = (at + cut).min(body.len());
        body.splice(at..end, noise);
        if let Ok(accepted) = pledge::parse(&body) {
            prop_assert_eq!(accepted.validate(), Ok(()));
        }
    }
}
