use pledge::{
    limits, Amount, AmountParseError, Consent, Currency, Donor, GiftAid, Locale, PostalAddress, SponsorshipOption,
    GIFT_AID_WORDING_VERSION,
};

use super::Problem;

/// Everything the donor has entered, kept exactly as typed so that going back never loses it.
/// Values are trimmed only when a pledge is made from them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub option: Option<SponsorshipOption>,
    /// A suggested amount the donor picked. Picking one empties `other_amount`, and typing an
    /// other amount unpicks it, so exactly one of them is the donor's answer.
    pub preset: Option<Amount>,
    pub other_amount: String,
    pub donor: Donor,
    /// The Gift Aid box. It only counts while Gift Aid is offered (see [`Draft::gift_aid_offered`]).
    pub gift_aid: bool,
    pub home_address: String,
    pub postcode: String,
    pub consent: Consent,
    /// The number to call. It is sent only while the donor agrees to be called.
    pub phone: String,
    /// Where letters go. Sent only while the donor agrees to letters and has not given a Gift
    /// Aid home address, which serves instead.
    pub postal_address: String,
    pub postal_postcode: String,
    /// The hidden field that only bots fill in.
    pub honeypot: String,
}

impl Draft {
    /// The amount the donor chose, read in the widget's currency.
    pub fn amount(&self, currency: Currency) -> Result<Amount, Problem> {
        if let Some(preset) = self.preset {
            return Ok(preset);
        }
        let amount = Amount::parse(&self.other_amount, currency).map_err(|error| match error {
            AmountParseError::Empty => Problem::Rule(pledge::ErrorCode::Required),
            AmountParseError::NotANumber => Problem::NotANumber,
            AmountParseError::TooManyDecimals => Problem::TooManyDecimals,
        })?;
        amount.check_bounds().map(|()| amount).map_err(Problem::Rule)
    }

    /// UK Gift Aid can only be claimed on gifts in pounds from donors living in the UK.
    pub fn gift_aid_offered(&self, currency: Currency) -> bool {
        currency == Currency::GBP && self.donor.country == "GB"
    }

    /// The declaration the pledge carries: present only when Gift Aid is offered and ticked.
    pub fn gift_aid_declaration(&self, currency: Currency) -> Option<GiftAid> {
        (self.gift_aid && self.gift_aid_offered(currency)).then(|| GiftAid {
            wording_version: GIFT_AID_WORDING_VERSION.to_owned(),
            home_address: self.home_address.trim().to_owned(),
            postcode: self.postcode.trim().to_owned(),
        })
    }

    /// Whether the donor has entered anything beyond their gift: a name, a box ticked, a number
    /// typed. Derived from the whole draft, so that a field added later counts without being
    /// listed here.
    pub fn has_personal_details(&self) -> bool {
        let gift_only = Draft {
            option: self.option,
            preset: self.preset,
            other_amount: self.other_amount.clone(),
            ..Draft::default()
        };
        *self != gift_only
    }

    /// Whether letters go to a postal address of their own: the donor agrees to letters and
    /// has not declared Gift Aid, whose home address would serve.
    pub fn postal_address_asked(&self, currency: Currency) -> bool {
        self.consent.post && self.gift_aid_declaration(currency).is_none()
    }

    /// The donor's details as they are sent: without the spaces that autofill and pasting add,
    /// and with a contact detail only where the donor agreed to be contacted that way.
    pub fn trimmed_donor(&self, currency: Currency) -> Donor {
        Donor {
            given_name: self.donor.given_name.trim().to_owned(),
            family_name: self.donor.family_name.trim().to_owned(),
            email: self.donor.email.trim().to_owned(),
            country: self.donor.country.clone(),
            phone: self.consent.phone.then(|| self.phone.trim().to_owned()),
            postal_address: self.postal_address_asked(currency).then(|| PostalAddress {
                address: self.postal_address.trim().to_owned(),
                postcode: self.postal_postcode.trim().to_owned(),
            }),
        }
    }

    /// The honeypot as reported: whatever a bot typed, cut to what the contract carries, so a
    /// long bot answer still reaches the receiver, which decides what it means.
    pub fn honeypot_evidence(&self) -> String {
        self.honeypot.chars().take(limits::HONEYPOT).collect()
    }
}

/// An amount as a donor would type it in `locale`: `25.50` in English, `25,50` in French.
/// Used when a picked suggestion moves into the other-amount box.
pub fn editable_amount(amount: Amount, locale: Locale) -> String {
    let text = amount.to_decimal_string();
    // Whole amounts read better without a fraction: `30` rather than `30.00`.
    let text = match text.strip_suffix(".00") {
        Some(whole) => whole.to_owned(),
        None => text,
    };
    match locale {
        Locale::En => text,
        Locale::Fr => text.replace('.', ","),
    }
}
