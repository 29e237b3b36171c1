//! Webhook events: what happened to a pledge, as versioned JSON that the charity's systems
//! receive.
//!
//! An event is serialised once, when it is made, and from then on only its bytes travel: they
//! are what the outbox stores, what the signature covers, and what every retry sends again, so a
//! receiver that de-duplicates by id never sees two bodies for one id.
//!
//! A pledge event carries what the charity's CSV export carries about the pledge and nothing
//! more: never the anti-spam signals, the idempotency key or the spam decision. The payload has
//! its own structs rather than serialising [`Pledge`](pledge::Pledge) itself, so that a field added to the pledge
//! contract reaches webhooks only when someone decides it should and documents it.

use std::fmt;

use serde::Serialize;

use super::view::PledgeView;
use crate::timestamp::Timestamp;

/// The version of the payload's shape. Fields may be added within a version; anything a receiver
/// could rely on that is removed or changed makes a new version.
pub const API_VERSION: u32 = 1;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A pledge was received and kept for the charity to act on.
    PledgeCreated,
    /// A pledge's status was changed by the charity's staff.
    PledgeStatusChanged,
    /// A pledge's personal data was erased; only its reference remains.
    PledgeErased,
}

impl EventType {
    pub const ALL: [EventType; 3] = [EventType::PledgeCreated, EventType::PledgeStatusChanged, EventType::PledgeErased];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::PledgeCreated => "pledge.created",
            EventType::PledgeStatusChanged => "pledge.status_changed",
            EventType::PledgeErased => "pledge.erased",
        }
    }

    pub fn parse(text: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|event_type| event_type.as_str() == text)
    }
}

/// An event's identity, a UUID v4 in lower case. Receivers de-duplicate by it, since a delivery
/// may be repeated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventId(String);

impl EventId {
    /// A fresh id from the operating system's random source.
    pub fn generate() -> Result<EventId, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(EventId::from_random_bytes(bytes))
    }

    /// The UUID v4 made of these random bytes, with the version and variant bits set.
    pub fn from_random_bytes(mut bytes: [u8; 16]) -> EventId {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        EventId(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
    }

    /// An id given back, such as one read from the outbox, if it is a UUID v4 in lower case.
    pub fn parse(text: &str) -> Option<EventId> {
        pledge::is_uuid_v4(text).then(|| EventId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// One event, its payload already serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Event {
    id: EventId,
    event_type: EventType,
    created_at: Timestamp,
    payload: Vec<u8>,
}

impl Event {
    /// A pledge was received and is ready for the charity.
    pub fn pledge_created(
        id: EventId,
        created_at: Timestamp,
        pledge: PledgeView<'_>,
    ) -> Result<Event, serde_json::Error> {
        let data = PledgeData::new(pledge, None);
        Event::serialised(id, EventType::PledgeCreated, created_at, &data)
    }

    /// Staff changed a pledge's status from `from` to the view's status, with an optional note.
    pub fn pledge_status_changed(
        id: EventId,
        created_at: Timestamp,
        pledge: PledgeView<'_>,
        from: &str,
        note: Option<&str>,
    ) -> Result<Event, serde_json::Error> {
        let change = StatusChange { from, to: pledge.status, note };
        let data = PledgeData::new(pledge, Some(change));
        Event::serialised(id, EventType::PledgeStatusChanged, created_at, &data)
    }

    /// The pledge `reference` had its personal data erased at `erased_at`. The event carries no
    /// personal data, so that the erasure is not undone by its own announcement.
    pub fn pledge_erased(
        id: EventId,
        created_at: Timestamp,
        reference: &str,
        erased_at: Timestamp,
    ) -> Result<Event, serde_json::Error> {
        let data = ErasedData { reference, erased_at: erased_at.to_rfc3339() };
        Event::serialised(id, EventType::PledgeErased, created_at, &data)
    }

    /// An event read back from where it was stored, its payload exactly as it was first written.
    pub fn from_stored(id: EventId, event_type: EventType, created_at: Timestamp, payload: Vec<u8>) -> Event {
        Event { id, event_type, created_at, payload }
    }

    fn serialised(
        id: EventId,
        event_type: EventType,
        created_at: Timestamp,
        data: &impl Serialize,
    ) -> Result<Event, serde_json::Error> {
        let envelope = Envelope {
            id: id.as_str(),
            event_type: event_type.as_str(),
            api_version: API_VERSION,
            created_at: created_at.to_rfc3339(),
            data,
        };
        let payload = serde_json::to_vec(&envelope)?;
        Ok(Event { id, event_type, created_at, payload })
    }

    pub fn id(&self) -> &EventId {
        &self.id
    }

    pub fn event_type(&self) -> EventType {
        self.event_type
    }

    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// The JSON body to store, sign and send, byte for byte.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

/// Leaves the payload out, since it holds a donor's personal data.
impl fmt::Debug for Event {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Event")
            .field("id", &self.id)
            .field("type", &self.event_type.as_str())
            .field("created_at", &self.created_at)
            .field("payload_bytes", &self.payload.len())
            .finish()
    }
}

#[derive(Serialize)]
struct Envelope<'a, D> {
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'static str,
    api_version: u32,
    created_at: String,
    data: D,
}

#[derive(Serialize)]
struct PledgeData<'a> {
    reference: &'a str,
    received_at: String,
    status: &'a str,
    #[serde(flatten)]
    change: Option<StatusChange<'a>>,
    pledge: PledgeBody<'a>,
}

impl<'a> PledgeData<'a> {
    fn new(view: PledgeView<'a>, change: Option<StatusChange<'a>>) -> PledgeData<'a> {
        PledgeData {
            reference: view.reference,
            received_at: view.received_at.to_rfc3339(),
            status: view.status,
            change,
            pledge: PledgeBody::new(view.pledge),
        }
    }
}

#[derive(Serialize)]
struct StatusChange<'a> {
    from: &'a str,
    to: &'a str,
    /// Always present, `null` without a note, so that every status change has the same keys.
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct ErasedData<'a> {
    reference: &'a str,
    erased_at: String,
}

/// The pledge as the CSV export has it. Contact details the donor did not give are left out
/// rather than written as `null`, as in the pledge contract itself.
#[derive(Serialize)]
struct PledgeBody<'a> {
    option: &'static str,
    frequency: &'static str,
    amount: AmountBody,
    donor: DonorBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gift_aid: Option<GiftAidBody<'a>>,
    consent: ConsentBody<'a>,
    partner: &'a str,
    page_url: &'a str,
    locale: &'static str,
}

#[derive(Serialize)]
struct AmountBody {
    minor_units: u64,
    currency: &'static str,
}

#[derive(Serialize)]
struct DonorBody<'a> {
    given_name: &'a str,
    family_name: &'a str,
    email: &'a str,
    country: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_address: Option<PostalAddressBody<'a>>,
}

#[derive(Serialize)]
struct PostalAddressBody<'a> {
    address: &'a str,
    postcode: &'a str,
}

#[derive(Serialize)]
struct GiftAidBody<'a> {
    wording_version: &'a str,
    home_address: &'a str,
    postcode: &'a str,
}

#[derive(Serialize)]
struct ConsentBody<'a> {
    wording_version: &'a str,
    email: bool,
    post: bool,
    phone: bool,
}

impl<'a> PledgeBody<'a> {
    fn new(pledge: &'a pledge::Pledge) -> PledgeBody<'a> {
        let donor = &pledge.donor;
        PledgeBody {
            option: pledge.option.as_str(),
            frequency: pledge.frequency.as_str(),
            amount: AmountBody { minor_units: pledge.amount.minor_units, currency: pledge.amount.currency.code() },
            donor: DonorBody {
                given_name: &donor.given_name,
                family_name: &donor.family_name,
                email: &donor.email,
                country: &donor.country,
                phone: donor.phone.as_deref(),
                postal_address: donor
                    .postal_address
                    .as_ref()
                    .map(|postal| PostalAddressBody { address: &postal.address, postcode: &postal.postcode }),
            },
            gift_aid: pledge.gift_aid.as_ref().map(|gift_aid| GiftAidBody {
                wording_version: &gift_aid.wording_version,
                home_address: &gift_aid.home_address,
                postcode: &gift_aid.postcode,
            }),
            consent: ConsentBody {
                wording_version: &pledge.consent.wording_version,
                email: pledge.consent.email,
                post: pledge.consent.post,
                phone: pledge.consent.phone,
            },
            partner: &pledge.partner,
            page_url: &pledge.page_url,
            locale: pledge.locale.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::export::csv::PledgesCsv;
    use crate::notify::test_support::{stored, GIFT_AID_EXAMPLE, POSTAL_EXAMPLE};

    const ID: &str = "0f8b6f1e-6c1d-4b7e-9a51-3c2d4e5f6a7b";
    /// 2026-12-01T09:30:00Z.
    fn at() -> Timestamp {
        Timestamp::from_micros(1_796_117_400_000_000)
    }

    fn id() -> EventId {
        EventId::parse(ID).unwrap()
    }

    fn json(event: &Event) -> Value {
        serde_json::from_slice(event.payload()).unwrap()
    }

    #[test]
    fn event_types_have_their_documented_names() {
        let names: Vec<&str> = EventType::ALL.iter().map(|event_type| event_type.as_str()).collect();
        assert_eq!(names, ["pledge.created", "pledge.status_changed", "pledge.erased"]);
        for event_type in EventType::ALL {
            assert_eq!(EventType::parse(event_type.as_str()), Some(event_type));
        }
        assert_eq!(EventType::parse("pledge.updated"), None);
    }

    #[test]
    fn ids_are_uuid_v4_and_given_ids_must_be_too() {
        let fixed = EventId::from_random_bytes([0xff; 16]);
        assert_eq!(fixed.as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let fresh = EventId::generate().unwrap();
        assert!(pledge::is_uuid_v4(fresh.as_str()), "{fresh}");
        assert_ne!(fresh, EventId::generate().unwrap());
        assert_eq!(EventId::parse(ID).map(|id| id.to_string()), Some(ID.to_owned()));
        for refused in ["", "0F8B6F1E-6C1D-4B7E-9A51-3C2D4E5F6A7B", "0f8b6f1e-6c1d-1b7e-9a51-3c2d4e5f6a7b", "evt_1"] {
            assert_eq!(EventId::parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn created_event_has_the_documented_shape() {
        let stored = stored(GIFT_AID_EXAMPLE, |_| {});
        let event = Event::pledge_created(id(), at(), PledgeView::from(&stored)).unwrap();
        assert_eq!(event.event_type(), EventType::PledgeCreated);
        assert_eq!(
            json(&event),
            json!({
                "id": ID,
                "type": "pledge.created",
                "api_version": 1,
                "created_at": "2026-12-01T09:30:00.000000Z",
                "data": {
                    "reference": "SK-7Q2M-X9D4",
                    "received_at": "2026-11-27T14:03:13.000000Z",
                    "status": "new",
                    "pledge": {
                        "option": "child",
                        "frequency": "monthly",
                        "amount": { "minor_units": 2500, "currency": "GBP" },
                        "donor": {
                            "given_name": "Amelia",
                            "family_name": "Hughes",
                            "email": "amelia.hughes@example.co.uk",
                            "country": "GB"
                        },
                        "gift_aid": {
                            "wording_version": "gift-aid-2026-11",
                            "home_address": "14 Orchard Lane, Leeds",
                            "postcode": "LS6 2QE"
                        },
                        "consent": { "wording_version": "consent-2026-11", "email": true, "post": false, "phone": false },
                        "partner": "sos-uk",
                        "page_url": "https://www.example.org/sponsor",
                        "locale": "en"
                    }
                }
            })
        );
    }

    #[test]
    fn the_same_event_serialises_to_the_same_bytes() {
        let stored = stored(POSTAL_EXAMPLE, |pledge| {
            pledge.consent.phone = true;
            pledge.donor.phone = Some("+33 1 99 00 12 34".to_owned());
        });
        let first = Event::pledge_created(id(), at(), PledgeView::from(&stored)).unwrap();
        let second = Event::pledge_created(id(), at(), PledgeView::from(&stored)).unwrap();
        assert_eq!(first.payload(), second.payload());
        let reread = Event::from_stored(id(), EventType::PledgeCreated, at(), first.payload().to_vec());
        assert_eq!(reread, first);
    }

    #[test]
    fn erased_event_carries_only_the_reference_and_when() {
        let event = Event::pledge_erased(id(), at(), "SK-7Q2M-X9D4", at()).unwrap();
        // The exact bytes, which the contract's signature example signs.
        assert_eq!(
            std::str::from_utf8(event.payload()).unwrap(),
            r#"{"id":"0f8b6f1e-6c1d-4b7e-9a51-3c2d4e5f6a7b","type":"pledge.erased","api_version":1,"created_at":"2026-12-01T09:30:00.000000Z","data":{"reference":"SK-7Q2M-X9D4","erased_at":"2026-12-01T09:30:00.000000Z"}}"#
        );
    }

    #[test]
    fn status_change_names_both_statuses_and_the_note() {
        let mut stored = stored(GIFT_AID_EXAMPLE, |_| {});
        stored.status = crate::storage::Status::New;
        let view = PledgeView::from(&stored);
        let with_note = Event::pledge_status_changed(id(), at(), view, "review", Some("Checked by phone")).unwrap();
        let data = &json(&with_note)["data"];
        assert_eq!(json(&with_note)["type"], "pledge.status_changed");
        assert_eq!((&data["from"], &data["to"], &data["status"]), (&json!("review"), &json!("new"), &json!("new")));
        assert_eq!(data["note"], "Checked by phone");
        assert_eq!(data["pledge"]["donor"]["given_name"], "Amelia");
        let without_note = Event::pledge_status_changed(id(), at(), view, "review", None).unwrap();
        assert_eq!(json(&without_note)["data"]["note"], Value::Null);
    }

    #[test]
    fn optional_contact_details_appear_only_when_given() {
        let without = stored(GIFT_AID_EXAMPLE, |_| {});
        let event = Event::pledge_created(id(), at(), PledgeView::from(&without)).unwrap();
        let donor = json(&event)["data"]["pledge"]["donor"].clone();
        assert!(donor.get("phone").is_none() && donor.get("postal_address").is_none(), "{donor}");

        let with = stored(POSTAL_EXAMPLE, |pledge| {
            pledge.consent.phone = true;
            pledge.donor.phone = Some("+33 1 99 00 12 34".to_owned());
        });
        let event = Event::pledge_created(id(), at(), PledgeView::from(&with)).unwrap();
        let pledge = json(&event)["data"]["pledge"].clone();
        assert_eq!(pledge["donor"]["phone"], "+33 1 99 00 12 34");
        assert_eq!(
            pledge["donor"]["postal_address"],
            json!({ "address": "12 rue des Lilas, Lyon", "postcode": "69003" })
        );
        assert!(pledge.get("gift_aid").is_none(), "{pledge}");
    }

    /// Every string or number the event says about a pledge must be a cell of that pledge's row
    /// in the charity's export, so a webhook never tells more than the export does.
    #[test]
    fn a_pledge_event_carries_nothing_the_export_does_not() {
        let stored = stored(POSTAL_EXAMPLE, |pledge| {
            pledge.consent.phone = true;
            pledge.donor.phone = Some("+33 1 99 00 12 34".to_owned());
            pledge.anti_spam.honeypot = "filled-by-a-bot".to_owned();
            pledge.anti_spam.fill_ms = 987_654;
        });
        let mut export = PledgesCsv::new().unwrap();
        export.append(&stored).unwrap();
        let csv = export.finish().unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(&csv[..]);
        let record = reader.records().next().unwrap().unwrap();
        // The export writes a phone number behind an apostrophe so spreadsheets keep it as text.
        let cells: Vec<String> = record.iter().map(|cell| cell.trim_start_matches('\'').to_owned()).collect();

        let event = Event::pledge_status_changed(id(), at(), PledgeView::from(&stored), "new", None).unwrap();
        let payload = String::from_utf8(event.payload().to_vec()).unwrap();
        for secret in [stored.pledge.idempotency_key.as_str(), "filled-by-a-bot", "987654", "anti_spam", "honeypot"] {
            assert!(!payload.contains(secret), "{secret} leaked into {payload}");
        }
        let mut leaves = Vec::new();
        collect_leaves(&json(&event)["data"], &mut leaves);
        assert!(leaves.len() > 15, "{leaves:?}");
        for leaf in leaves {
            assert!(cells.contains(&leaf), "{leaf:?} is not in the export's row {cells:?}");
        }
    }

    fn collect_leaves(value: &Value, leaves: &mut Vec<String>) {
        match value {
            Value::String(text) => leaves.push(text.clone()),
            Value::Number(number) => leaves.push(number.to_string()),
            Value::Array(items) => items.iter().for_each(|item| collect_leaves(item, leaves)),
            Value::Object(fields) => fields.values().for_each(|field| collect_leaves(field, leaves)),
            Value::Bool(_) | Value::Null => {}
        }
    }

    #[test]
    fn debug_leaves_the_personal_data_out() {
        let stored = stored(GIFT_AID_EXAMPLE, |_| {});
        let event = Event::pledge_created(id(), at(), PledgeView::from(&stored)).unwrap();
        let debug = format!("{event:?}");
        assert!(debug.contains(ID) && debug.contains("pledge.created"), "{debug}");
        assert!(!debug.contains("Amelia") && !debug.contains("Orchard"), "{debug}");
    }
}
