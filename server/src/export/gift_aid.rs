//! Rows for HMRC's Charities Online Gift Aid schedule, made from converted pledges that carry a
//! Gift Aid declaration.
//!
//! HMRC accepts a claim only with its own schedule spreadsheet attached, so this export follows
//! that schedule's columns in its order (title, first name, last name, house name or number,
//! postcode, aggregated donations, sponsored event, donation date, amount) for the charity to
//! paste in. Every pledge from a named donor is an individual row; the aggregated donations and
//! sponsored event columns stay empty, as HMRC asks for columns that do not apply.
//!
//! A record that cannot be written as HMRC wants it is never guessed at or cut short: it goes to
//! [`GiftAidSchedule::unclaimable`] with every [`Reason`], so that a person can check it with the
//! donor or enter it by hand. A wrong row costs more than a missing one: HMRC may ask for the
//! repayment back.
//!
//! # Pledges are not payments
//!
//! The receiver records what donors pledged and when the charity converted the pledge, not the
//! money that arrived. Each row therefore carries the pledged amount (for a monthly pledge, one
//! month's) and the conversion date. **Before submitting a claim the charity must reconcile each
//! row against the donations it actually received**: replace the amount with the total received
//! in the claim period and the date with that of the latest payment, as HMRC asks for regular
//! donations, and remove rows for which nothing arrived.
//!
//! # Dates
//!
//! The donation date is the UTC calendar day of `converted_at`. The receiver keeps every instant
//! in UTC, so the same pledge gives the same date in every export whatever the server's time
//! zone; UK time differs only in the hour after midnight in summer, and the date is replaced by
//! the payment date on reconciliation anyway.
//!
//! # Cells that look like formulas
//!
//! Spreadsheets run a cell that begins with `=`, `+`, `-` or `@` as a formula. The usual
//! defence, a leading apostrophe, does not suit this export: the rows are pasted into HMRC's
//! `.ods` schedule, where the apostrophe could end up in the claim as part of a name, and HMRC
//! asks for no stray characters at the start of a box. So a record with such a name or address
//! is unclaimable ([`Reason::FormulaLikeText`]), since no real name or house starts that way.
//! The CSV writer still puts an apostrophe before any such cell as a second line of defence, in
//! case a row was built some other way.

use std::io;

use pledge::{Currency, Pledge};

use crate::timestamp::Timestamp;

/// HMRC's schedule columns, in its order.
pub const COLUMNS: [&str; 9] = [
    "Title",
    "First name",
    "Last name",
    "House name or number",
    "Postcode",
    "Aggregated donations",
    "Sponsored event",
    "Donation date",
    "Amount",
];

/// HMRC's limit for each of the first and last names, in characters.
pub const NAME_LIMIT: usize = 35;
/// The longest house name or number the schedule takes, in characters.
pub const HOUSE_LIMIT: usize = 40;

/// What HMRC writes in the postcode column for a donor who lives outside the UK.
const OUTSIDE_UK_POSTCODE: &str = "X";
const BYTE_ORDER_MARK: &str = "\u{feff}";

/// A converted pledge whose donor made a Gift Aid declaration.
#[derive(Debug, Clone)]
pub struct ClaimCandidate {
    pub reference: String,
    /// When the charity marked the pledge as converted: the first gift is set up.
    pub converted_at: Timestamp,
    pub pledge: Pledge,
}

/// The schedule's rows, and the records that could not become one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GiftAidSchedule {
    pub rows: Vec<ScheduleRow>,
    pub unclaimable: Vec<Unclaimable>,
}

/// One individual donation row, with its cells exactly as they go into the schedule. The
/// reference is not a schedule column; it lets the charity find the pledge when reconciling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub reference: String,
    /// Always empty: the widget does not ask for a title, and inventing one from the name
    /// would be a guess on a tax claim.
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub house_name_or_number: String,
    pub postcode: String,
    /// `DD/MM/YY`.
    pub donation_date: String,
    /// Pounds with two decimals and no sign, such as `200.00`.
    pub amount: String,
}

impl ScheduleRow {
    /// The row's cells in [`COLUMNS`] order; the aggregated donations and sponsored event
    /// cells are empty for a named donor.
    pub fn cells(&self) -> [&str; 9] {
        [
            &self.title,
            &self.first_name,
            &self.last_name,
            &self.house_name_or_number,
            &self.postcode,
            "",
            "",
            &self.donation_date,
            &self.amount,
        ]
    }
}

/// A record kept out of the schedule, with every reason found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclaimable {
    pub reference: String,
    pub reasons: Vec<Reason>,
}

/// Why a record cannot go into the schedule as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The pledge carries no Gift Aid declaration.
    NoDeclaration,
    /// The donor's personal details were erased at their request.
    Erased,
    FirstNameMissing,
    FirstNameTooLong,
    LastNameMissing,
    LastNameTooLong,
    /// The home address does not show the house name or number unambiguously.
    HouseUnclear,
    HouseTooLong,
    InvalidPostcode,
    /// Gift Aid is claimed on gifts in pounds sterling only.
    NotInPounds,
    ZeroAmount,
    /// The conversion date is outside 2000–2099, which `DD/MM/YY` cannot tell apart.
    DateOutOfRange,
    /// A name or the address begins with a character a spreadsheet runs as a formula.
    FormulaLikeText,
}

impl Reason {
    /// A stable code for logs, filters and translations.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoDeclaration => "no_declaration",
            Reason::Erased => "erased",
            Reason::FirstNameMissing => "first_name_missing",
            Reason::FirstNameTooLong => "first_name_too_long",
            Reason::LastNameMissing => "last_name_missing",
            Reason::LastNameTooLong => "last_name_too_long",
            Reason::HouseUnclear => "house_unclear",
            Reason::HouseTooLong => "house_too_long",
            Reason::InvalidPostcode => "invalid_postcode",
            Reason::NotInPounds => "not_in_pounds",
            Reason::ZeroAmount => "zero_amount",
            Reason::DateOutOfRange => "date_out_of_range",
            Reason::FormulaLikeText => "formula_like_text",
        }
    }

    /// What the charity's staff read, saying what to do where it is not obvious.
    pub fn message(self) -> &'static str {
        match self {
            Reason::NoDeclaration => "there is no Gift Aid declaration for this pledge",
            Reason::Erased => "erased at the donor's request",
            Reason::FirstNameMissing => "the first name is missing",
            Reason::FirstNameTooLong => {
                "the first name is longer than HMRC's 35 characters; ask the donor how to shorten it"
            }
            Reason::LastNameMissing => "the last name is missing",
            Reason::LastNameTooLong => {
                "the last name is longer than HMRC's 35 characters; ask the donor how to shorten it"
            }
            Reason::HouseUnclear => {
                "cannot tell the house name or number from the home address; enter it by hand"
            }
            Reason::HouseTooLong => "the house name is longer than the schedule's 40 characters",
            Reason::InvalidPostcode => "the postcode is not a valid UK postcode",
            Reason::NotInPounds => "Gift Aid can only be claimed on gifts in pounds sterling",
            Reason::ZeroAmount => "the amount is zero",
            Reason::DateOutOfRange => "the conversion date cannot be written as DD/MM/YY",
            Reason::FormulaLikeText => {
                "a name or the address begins with =, +, - or @, which a spreadsheet would run as a formula; check it with the donor"
            }
        }
    }
}

impl GiftAidSchedule {
    /// Sorts each candidate into a schedule row or the unclaimable list, keeping their order.
    pub fn build(candidates: &[ClaimCandidate]) -> GiftAidSchedule {
        let mut schedule = GiftAidSchedule::default();
        for candidate in candidates {
            match schedule_row(candidate) {
                Ok(row) => schedule.rows.push(row),
                Err(reasons) => {
                    schedule.unclaimable.push(Unclaimable { reference: candidate.reference.clone(), reasons })
                }
            }
        }
        schedule
    }

    /// Writes the rows as CSV under a header row naming HMRC's columns, with CRLF line ends and
    /// a UTF-8 byte order mark so that Excel, like LibreOffice, reads accented names correctly.
    pub fn write_csv<W: io::Write>(&self, mut out: W) -> csv::Result<()> {
        out.write_all(BYTE_ORDER_MARK.as_bytes())?;
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
        writer.write_record(COLUMNS)?;
        for row in &self.rows {
            writer.write_record(row.cells().map(neutralise_formula))?;
        }
        writer.flush()?;
        Ok(())
    }
}

fn schedule_row(candidate: &ClaimCandidate) -> Result<ScheduleRow, Vec<Reason>> {
    let pledge = &candidate.pledge;
    let Some(declaration) = &pledge.gift_aid else {
        return Err(vec![Reason::NoDeclaration]);
    };
    let given_name = single_spaced(&pledge.donor.given_name);
    // HMRC asks for a double-barrelled surname with a space where the hyphen was.
    let family_name = single_spaced(&pledge.donor.family_name.replace('-', " "));
    if given_name.is_empty() && family_name.is_empty() {
        return Err(vec![Reason::Erased]);
    }

    let mut reasons = Vec::new();
    let mut check_name = |name: &str, missing, too_long| {
        if name.is_empty() {
            reasons.push(missing);
        } else if name.chars().count() > NAME_LIMIT {
            reasons.push(too_long);
        }
    };
    check_name(&given_name, Reason::FirstNameMissing, Reason::FirstNameTooLong);
    check_name(&family_name, Reason::LastNameMissing, Reason::LastNameTooLong);

    let lives_in_uk = pledge.donor.country == "GB";
    let (house, postcode) = if lives_in_uk {
        let house = house_name_or_number(&declaration.home_address);
        let postcode = normalise_postcode(&declaration.postcode).ok_or(Reason::InvalidPostcode);
        (house, postcode)
    } else {
        // HMRC's rule for donors abroad: `X` as the postcode, and as much of the address as
        // fits in the house column.
        (Ok(as_much_as_fits(&declaration.home_address, HOUSE_LIMIT)), Ok(OUTSIDE_UK_POSTCODE.to_owned()))
    };
    let house = house.unwrap_or_else(|reason| {
        reasons.push(reason);
        String::new()
    });
    let postcode = postcode.unwrap_or_else(|reason| {
        reasons.push(reason);
        String::new()
    });

    if pledge.amount.currency != Currency::GBP {
        reasons.push(Reason::NotInPounds);
    } else if pledge.amount.minor_units == 0 {
        reasons.push(Reason::ZeroAmount);
    }
    let donation_date = day_month_year(candidate.converted_at).unwrap_or_else(|| {
        reasons.push(Reason::DateOutOfRange);
        String::new()
    });
    // The house cell always starts where the address does, so checking the address covers it
    // even when the house could not be told.
    let address = single_spaced(&declaration.home_address);
    if [&given_name, &family_name, &address].into_iter().any(|text| looks_like_formula(text)) {
        reasons.push(Reason::FormulaLikeText);
    }

    if !reasons.is_empty() {
        return Err(reasons);
    }
    Ok(ScheduleRow {
        reference: candidate.reference.clone(),
        title: String::new(),
        first_name: given_name,
        last_name: family_name,
        house_name_or_number: house,
        postcode,
        donation_date,
        amount: pounds(pledge.amount.minor_units),
    })
}

/// Trims and collapses runs of white space, since HMRC refuses spaces at either end of a box.
fn single_spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words that make the first part of an address something other than a house: a flat or unit
/// inside a building (whose number HMRC's single column cannot hold without a judgement), or
/// not a home at all.
const NOT_A_HOUSE: [&str; 12] =
    ["flat", "apartment", "apt", "unit", "suite", "room", "floor", "basement", "maisonette", "po", "p.o.", "c/o"];

/// Last words that make a part of an address a street rather than a house name.
const STREET_TYPES: [&str; 44] = [
    "street",
    "st",
    "st.",
    "road",
    "rd",
    "rd.",
    "lane",
    "ln",
    "avenue",
    "ave",
    "ave.",
    "close",
    "drive",
    "dr",
    "way",
    "gardens",
    "gdns",
    "crescent",
    "cres",
    "place",
    "pl",
    "terrace",
    "tce",
    "court",
    "ct",
    "hill",
    "row",
    "square",
    "sq",
    "grove",
    "walk",
    "mews",
    "green",
    "park",
    "parade",
    "rise",
    "view",
    "vale",
    "wharf",
    "quay",
    "yard",
    "broadway",
    "boulevard",
    "gate",
];

/// The house name or number from a UK home address (without its postcode), or
/// [`Reason::HouseUnclear`] when it cannot be told without guessing.
///
/// Only the part before the first comma is read:
/// - a leading number, with at most one letter and an optional range, is the house number
///   (`12 High Street` → `12`, `12a …` → `12a`, `12-14 …` → `12-14`);
/// - a part without digits that is followed by more address and does not end in a street
///   type is a house name (`Rose Cottage, Mill Lane` → `Rose Cottage`);
/// - anything else is unclear: flats and units (`Flat 3, 12 High St`, Glasgow's `2/1`),
///   ordinals (`1st Floor`), PO boxes, a street with no number (`High Street, Leeds`), a
///   single part without a number, or a number inside a name.
pub fn house_name_or_number(home_address: &str) -> Result<String, Reason> {
    let address = single_spaced(home_address);
    let mut parts = address.split(',').map(str::trim);
    let first = parts.next().unwrap_or_default();
    let more_follows = parts.any(|part| !part.is_empty());
    let words: Vec<&str> = first.split(' ').filter(|word| !word.is_empty()).collect();
    let Some(first_word) = words.first() else {
        return Err(Reason::HouseUnclear);
    };
    let lower_words: Vec<String> = words.iter().map(|word| word.to_lowercase()).collect();
    if lower_words.iter().any(|word| NOT_A_HOUSE.contains(&word.as_str())) {
        return Err(Reason::HouseUnclear);
    }

    if first_word.starts_with(|c: char| c.is_ascii_digit()) {
        return if is_house_number(first_word) { Ok((*first_word).to_owned()) } else { Err(Reason::HouseUnclear) };
    }

    let names_a_street = lower_words.last().is_some_and(|word| STREET_TYPES.contains(&word.as_str()));
    if more_follows && !names_a_street && !first.chars().any(|c| c.is_ascii_digit()) {
        return if first.chars().count() > HOUSE_LIMIT { Err(Reason::HouseTooLong) } else { Ok(first.to_owned()) };
    }
    Err(Reason::HouseUnclear)
}

/// `12`, `12a`, `12-14`, `12a-12c`: one to five digits with at most one letter, optionally a
/// range of two such numbers.
fn is_house_number(word: &str) -> bool {
    let single = |part: &str| {
        let digits = part.chars().take_while(char::is_ascii_digit).count();
        let rest = &part[digits..];
        (1..=5).contains(&digits)
            && (rest.is_empty() || (rest.chars().count() == 1 && rest.chars().all(|c| c.is_ascii_alphabetic())))
    };
    match word.split_once('-') {
        Some((from, to)) => single(from) && single(to),
        None => single(word),
    }
}

/// Upper case with one space before the inward code (`s192bd` → `S19 2BD`), or `None` when
/// the result is not shaped like a UK postcode.
pub fn normalise_postcode(postcode: &str) -> Option<String> {
    let compact: String = postcode.split_whitespace().collect::<String>().to_ascii_uppercase();
    if !compact.is_ascii() || !pledge::is_uk_postcode(&compact) {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Some(format!("{outward} {inward}"))
}

/// The address on one line, cut after the last whole word that fits in `limit` characters
/// (or mid-word when the first word alone is longer).
fn as_much_as_fits(address: &str, limit: usize) -> String {
    let line = single_spaced(address);
    if line.chars().count() <= limit {
        return line;
    }
    let cut: String = line.chars().take(limit).collect();
    let next_is_break = line.chars().nth(limit).is_some_and(|c| c == ' ');
    let fitted = match cut.rfind(' ') {
        _ if next_is_break => cut.as_str(),
        Some(space) => &cut[..space],
        None => cut.as_str(),
    };
    fitted.trim_end_matches([',', ' ']).to_owned()
}

/// `DD/MM/YY` for the UTC day of `at`, only within 2000–2099 so the two-digit year is
/// unambiguous.
fn day_month_year(at: Timestamp) -> Option<String> {
    let nanos = i128::from(at.as_micros()) * 1_000;
    let date = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?.date();
    if !(2000..=2099).contains(&date.year()) {
        return None;
    }
    Some(format!("{:02}/{:02}/{:02}", date.day(), u8::from(date.month()), date.year() % 100))
}

/// Pence as pounds with two decimals and no sign: `20000` → `200.00`.
fn pounds(pence: u64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn neutralise_formula(cell: &str) -> String {
    if looks_like_formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pledge::{
        Amount, AntiSpam, Consent, Donor, Frequency, GiftAid, Locale, SponsorshipOption, GIFT_AID_WORDING_VERSION,
        SCHEMA_VERSION,
    };

    /// 2026-11-27T10:00:00Z.
    const CONVERTED_AT: i64 = 1_795_773_600_000_000;

    fn pledge(given: &str, family: &str, address: &str, postcode: &str) -> Pledge {
        Pledge {
            schema_version: SCHEMA_VERSION,
            idempotency_key: "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f".to_owned(),
            option: SponsorshipOption::Child,
            frequency: Frequency::Monthly,
            amount: Amount::new(2500, Currency::GBP),
            donor: Donor {
                given_name: given.to_owned(),
                family_name: family.to_owned(),
                email: "awa@example.org".to_owned(),
                country: "GB".to_owned(),
                phone: None,
                postal_address: None,
            },
            gift_aid: Some(GiftAid {
                wording_version: GIFT_AID_WORDING_VERSION.to_owned(),
                home_address: address.to_owned(),
                postcode: postcode.to_owned(),
            }),
            consent: Consent::default(),
            partner: "st-marys-school".to_owned(),
            page_url: "https://example.org/give".to_owned(),
            locale: Locale::En,
            client_created_at: "2026-11-27T10:00:00.000Z".to_owned(),
            anti_spam: AntiSpam { honeypot: String::new(), fill_ms: 42_000 },
        }
    }

    fn candidate(pledge: Pledge) -> ClaimCandidate {
        ClaimCandidate { reference: "SP-0001".to_owned(), converted_at: Timestamp::from_micros(CONVERTED_AT), pledge }
    }

    fn reasons_for(pledge: Pledge) -> Vec<Reason> {
        match schedule_row(&candidate(pledge)) {
            Ok(row) => panic!("expected unclaimable, got {row:?}"),
            Err(reasons) => reasons,
        }
    }

    fn row_for(pledge: Pledge) -> ScheduleRow {
        schedule_row(&candidate(pledge)).expect("claimable")
    }

    #[test]
    fn a_typical_pledge_becomes_one_row_in_hmrc_order() {
        let row = row_for(pledge("Awa", "Traoré", "14 Orchard Lane, Leeds", "ls62qe"));
        assert_eq!(row.cells(), ["", "Awa", "Traoré", "14", "LS6 2QE", "", "", "27/11/26", "25.00"]);
        assert_eq!(row.reference, "SP-0001");
    }

    #[test]
    fn double_barrelled_surnames_take_a_space_and_names_are_trimmed() {
        let row = row_for(pledge("  Mary  Jane ", "House-Martin", "3 Elm Road", "S19 2BD"));
        assert_eq!(row.first_name, "Mary Jane");
        assert_eq!(row.last_name, "House Martin");
        let row = row_for(pledge("Jean-Luc", "Smith - Jones", "3 Elm Road", "S19 2BD"));
        assert_eq!(row.first_name, "Jean-Luc", "only the surname loses its hyphen");
        assert_eq!(row.last_name, "Smith Jones");
    }

    #[test]
    fn names_at_the_limit_pass_and_longer_ones_are_not_truncated() {
        let longest = "é".repeat(NAME_LIMIT);
        let row = row_for(pledge(&longest, &longest, "3 Elm Road", "S19 2BD"));
        assert_eq!(row.first_name.chars().count(), NAME_LIMIT);

        let too_long = "a".repeat(NAME_LIMIT + 1);
        assert_eq!(reasons_for(pledge(&too_long, "Smith", "3 Elm Road", "S19 2BD")), [Reason::FirstNameTooLong]);
        assert_eq!(reasons_for(pledge("Ann", &too_long, "3 Elm Road", "S19 2BD")), [Reason::LastNameTooLong]);
    }

    #[test]
    fn a_missing_name_is_reported_and_both_missing_means_erased() {
        assert_eq!(reasons_for(pledge(" ", "Smith", "3 Elm Road", "S19 2BD")), [Reason::FirstNameMissing]);
        assert_eq!(reasons_for(pledge("Ann", "", "3 Elm Road", "S19 2BD")), [Reason::LastNameMissing]);
        assert_eq!(reasons_for(pledge("", "", "", "")), [Reason::Erased]);
        assert_eq!(Reason::Erased.message(), "erased at the donor's request");
    }

    #[test]
    fn a_pledge_without_a_declaration_is_not_claimable() {
        let without = Pledge { gift_aid: None, ..pledge("Ann", "Smith", "3 Elm Road", "S19 2BD") };
        assert_eq!(reasons_for(without), [Reason::NoDeclaration]);
    }

    #[test]
    fn house_numbers_and_names_from_real_address_shapes() {
        let cases = [
            ("12 High Street", "12"),
            ("12 High Street, Sheffield", "12"),
            ("12a High Street", "12a"),
            ("221B Baker Street, London", "221B"),
            ("12-14 Market Place, Ripon", "12-14"),
            ("12, High Street, Leeds", "12"),
            ("  7   Church Road ,  Bath ", "7"),
            ("1 Acacia Avenue", "1"),
            ("10000 Long Road", "10000"),
            ("Rose Cottage, Mill Lane", "Rose Cottage"),
            ("Rose Cottage, 12 Mill Lane, Ashby", "Rose Cottage"),
            ("The Old Rectory, Church Lane, Little Snoring", "The Old Rectory"),
            ("Ty Gwyn, Heol y Llan, Llandeilo", "Ty Gwyn"),
            ("Hillcrest, Bridge End", "Hillcrest"),
            ("Mill House, The Green", "Mill House"),
        ];
        for (address, expected) in cases {
            assert_eq!(house_name_or_number(address).as_deref(), Ok(expected), "{address}");
        }
    }

    #[test]
    fn unclear_addresses_are_not_guessed() {
        let unclear = [
            "",
            " , ",
            "Flat 3, 12 High St",
            "Flat 3 12 High Street",
            "Apartment 5, Riverside House, Leeds",
            "Apt 2b, 7 Quay Street",
            "Unit 4, Riverside Park",
            "2/1 14 Byres Road, Glasgow",
            "1st Floor, 12 High Street",
            "PO Box 123, Leeds",
            "c/o Mrs Smith, 3 Elm Road",
            "High Street, Leeds",
            "Church Lane, Little Snoring",
            "Ashdown Court, Bristol",
            "Rose Cottage Mill Lane Oxford",
            "Rose Cottage",
            "Plot 12b, Meadow View",
            "Block 12, Churchill Estate",
            "123456 Long Road",
            "12ab High Street",
            "12/14 High Street",
            "No. 12 High Street",
        ];
        for address in unclear {
            assert_eq!(house_name_or_number(address), Err(Reason::HouseUnclear), "{address:?}");
        }
        let record = reasons_for(pledge("Ann", "Smith", "Flat 3, 12 High St", "S19 2BD"));
        assert_eq!(record, [Reason::HouseUnclear]);
        assert!(Reason::HouseUnclear.message().starts_with("cannot tell the house name or number from"));
    }

    #[test]
    fn an_overlong_house_name_is_reported() {
        let name = "The Very Long House Name of Somewhere Quite Far";
        assert_eq!(house_name_or_number(&format!("{name}, Leeds")), Err(Reason::HouseTooLong));
    }

    #[test]
    fn postcodes_are_normalised_or_refused() {
        let cases = [
            ("s192bd", Some("S19 2BD")),
            ("S19 2BD", Some("S19 2BD")),
            (" sw1a  1aa ", Some("SW1A 1AA")),
            ("m11ae", Some("M1 1AE")),
            ("ec1a1bb", Some("EC1A 1BB")),
            ("W1A 0AX", Some("W1A 0AX")),
            ("", None),
            ("S19", None),
            ("12345", None),
            ("S19 2B1", None),
            ("SW1A 1AAA", None),
            ("ÉC1A 1BB", None),
        ];
        for (typed, expected) in cases {
            assert_eq!(normalise_postcode(typed).as_deref(), expected, "{typed:?}");
        }
        assert_eq!(reasons_for(pledge("Ann", "Smith", "3 Elm Road", "LS1")), [Reason::InvalidPostcode]);
    }

    #[test]
    fn donors_abroad_get_x_and_as_much_address_as_fits() {
        let mut abroad = pledge("Ann", "Smith", "Flat 3, 12 Rue des Lilas, Quartier de la Croix-Rousse, Lyon", "");
        abroad.donor.country = "FR".to_owned();
        let row = row_for(abroad);
        assert_eq!(row.postcode, "X");
        assert_eq!(row.house_name_or_number, "Flat 3, 12 Rue des Lilas, Quartier de la");
        assert!(row.house_name_or_number.chars().count() <= HOUSE_LIMIT);

        assert_eq!(as_much_as_fits("short address", 40), "short address");
        assert_eq!(as_much_as_fits("abcdefghij klm", 10), "abcdefghij");
        assert_eq!(as_much_as_fits("abcdefghijklm", 10), "abcdefghij");
        assert_eq!(as_much_as_fits("abc, defghijklm", 10), "abc");
    }

    #[test]
    fn only_pounds_are_claimable() {
        for currency in [Currency::EUR, Currency::USD, Currency::XOF] {
            let mut foreign = pledge("Ann", "Smith", "3 Elm Road", "S19 2BD");
            foreign.amount = Amount::new(2500, currency);
            assert_eq!(reasons_for(foreign), [Reason::NotInPounds], "{currency:?}");
        }
        let mut nothing = pledge("Ann", "Smith", "3 Elm Road", "S19 2BD");
        nothing.amount = Amount::new(0, Currency::GBP);
        assert_eq!(reasons_for(nothing), [Reason::ZeroAmount]);
    }

    #[test]
    fn amounts_have_two_decimals_and_no_sign() {
        assert_eq!(pounds(20_000), "200.00");
        assert_eq!(pounds(205), "2.05");
        assert_eq!(pounds(1), "0.01");
        assert_eq!(pounds(1_000_000), "10000.00");
    }

    #[test]
    fn dates_are_the_utc_day_of_conversion() {
        // 2026-06-30T23:30:00Z is already 1 July in London; the UTC day is used.
        let late = Timestamp::parse("2026-06-30T23:30:00Z").unwrap();
        assert_eq!(day_month_year(late).as_deref(), Some("30/06/26"));
        let new_year = Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
        assert_eq!(day_month_year(new_year).as_deref(), Some("01/01/30"));
        assert_eq!(day_month_year(Timestamp::parse("1999-12-31").unwrap()), None);
        assert_eq!(day_month_year(Timestamp::parse("2100-01-01").unwrap()), None);
        assert_eq!(day_month_year(Timestamp::from_micros(i64::MAX)), None);
        assert_eq!(day_month_year(Timestamp::from_micros(i64::MIN)), None);

        let mut ancient = candidate(pledge("Ann", "Smith", "3 Elm Road", "S19 2BD"));
        ancient.converted_at = Timestamp::from_micros(0);
        assert_eq!(schedule_row(&ancient), Err(vec![Reason::DateOutOfRange]));
    }

    #[test]
    fn monthly_pledges_give_one_row_with_one_month() {
        let mut monthly = pledge("Ann", "Smith", "3 Elm Road", "S19 2BD");
        monthly.option = SponsorshipOption::Village;
        monthly.amount = Amount::new(1_000, Currency::GBP);
        let schedule = GiftAidSchedule::build(&[candidate(monthly)]);
        assert_eq!(schedule.rows.len(), 1);
        assert_eq!(schedule.rows[0].amount, "10.00");
    }

    #[test]
    fn formula_like_names_and_addresses_are_unclaimable() {
        assert_eq!(
            reasons_for(pledge("=HYPERLINK(\"x\")", "Smith", "3 Elm Road", "S19 2BD")),
            [Reason::FormulaLikeText]
        );
        assert_eq!(reasons_for(pledge("Ann", "@SUM(A1)", "3 Elm Road", "S19 2BD")), [Reason::FormulaLikeText]);
        assert_eq!(reasons_for(pledge("+Ann", "Smith", "3 Elm Road", "S19 2BD")), [Reason::FormulaLikeText]);
        assert_eq!(reasons_for(pledge("Ann", "Smith", "=cmd|calc, Elm Road", "S19 2BD")), [Reason::FormulaLikeText]);
        assert_eq!(
            reasons_for(pledge("Ann", "Smith", "=cmd|' /C calc'!A0, Elm Road", "S19 2BD")),
            [Reason::HouseUnclear, Reason::FormulaLikeText]
        );
        // A leading hyphen in the surname becomes a space and is trimmed away, so it is no
        // formula; in a first name it is one.
        assert_eq!(row_for(pledge("Ann", "-Smith", "3 Elm Road", "S19 2BD")).last_name, "Smith");
        assert_eq!(reasons_for(pledge("-Ann", "Smith", "3 Elm Road", "S19 2BD")), [Reason::FormulaLikeText]);
    }

    #[test]
    fn every_reason_is_collected() {
        let mut bad = pledge(&"a".repeat(36), "Smith", "High Street", "nope");
        bad.amount = Amount::new(2500, Currency::EUR);
        assert_eq!(
            reasons_for(bad),
            [Reason::FirstNameTooLong, Reason::HouseUnclear, Reason::InvalidPostcode, Reason::NotInPounds]
        );
    }

    #[test]
    fn reasons_have_distinct_codes_and_messages() {
        let all = [
            Reason::NoDeclaration,
            Reason::Erased,
            Reason::FirstNameMissing,
            Reason::FirstNameTooLong,
            Reason::LastNameMissing,
            Reason::LastNameTooLong,
            Reason::HouseUnclear,
            Reason::HouseTooLong,
            Reason::InvalidPostcode,
            Reason::NotInPounds,
            Reason::ZeroAmount,
            Reason::DateOutOfRange,
            Reason::FormulaLikeText,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|reason| reason.as_str()).collect();
        let messages: std::collections::HashSet<_> = all.iter().map(|reason| reason.message()).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(messages.len(), all.len());
        assert!(codes.iter().all(|code| code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn build_sorts_candidates_and_keeps_their_order() {
        let mut second = candidate(pledge("Bo", "Lee", "Flat 1, 2 Elm Road", "S19 2BD"));
        second.reference = "SP-0002".to_owned();
        let mut third = candidate(pledge("Cy", "Ng", "5 Elm Road", "S19 2BD"));
        third.reference = "SP-0003".to_owned();
        let first = candidate(pledge("Ann", "Smith", "3 Elm Road", "S19 2BD"));
        let schedule = GiftAidSchedule::build(&[first, second, third]);
        let references: Vec<_> = schedule.rows.iter().map(|row| row.reference.as_str()).collect();
        assert_eq!(references, ["SP-0001", "SP-0003"]);
        assert_eq!(
            schedule.unclaimable,
            [Unclaimable { reference: "SP-0002".to_owned(), reasons: vec![Reason::HouseUnclear] }]
        );
    }

    #[test]
    fn csv_has_the_header_and_rows_in_hmrc_order() {
        let schedule =
            GiftAidSchedule::build(&[candidate(pledge("Zoë", "O'Brien", "Rose Cottage, Mill Lane", "s192bd"))]);
        let mut bytes = Vec::new();
        schedule.write_csv(&mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}Title,First name,Last name,House name or number,Postcode,Aggregated donations,Sponsored event,Donation date,Amount\r\n\
             ,Zoë,O'Brien,Rose Cottage,S19 2BD,,,27/11/26,25.00\r\n"
        );
    }

    #[test]
    fn csv_neutralises_formulas_in_rows_built_elsewhere() {
        let row = ScheduleRow {
            reference: "SP-9".to_owned(),
            title: String::new(),
            first_name: "=1+1".to_owned(),
            last_name: "Smith, \"Jr\"".to_owned(),
            house_name_or_number: "@home".to_owned(),
            postcode: "S19 2BD".to_owned(),
            donation_date: "27/11/26".to_owned(),
            amount: "1.00".to_owned(),
        };
        let schedule = GiftAidSchedule { rows: vec![row], unclaimable: Vec::new() };
        let mut bytes = Vec::new();
        schedule.write_csv(&mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let data_line = text.lines().nth(1).unwrap();
        assert_eq!(data_line, ",'=1+1,\"Smith, \"\"Jr\"\"\",'@home,S19 2BD,,,27/11/26,1.00");
    }
}
