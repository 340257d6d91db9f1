//! Email addresses and the region's official domains.
//!
//! Perwali Palangka Raya 23/2020 Pasal 38 makes the official domain mandatory for official
//! communication; Perbup Tojo Una-Una 17/2024 and Perwali Kupang 11/2025 Pasal 30 name it for
//! official correspondence. Every address an official uses here must be inside one.

/// An address the desk can both keep and send to, lower-cased so that one mailbox has one
/// spelling. The mail transport's own parser (lettre's `Address`) must accept it, so that an
/// address taken here never makes a mail fail later; on top of that it is plain ASCII
/// `local@domain`: a dot-atom local part (no quoted strings, no comments) and a DNS name with
/// a dot whose last label is not all digits (no IP addresses, no trailing dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Not of the form `local@domain.tld`, or with spaces or control characters.
    #[error("is not a valid email address")]
    Malformed,
    /// Longer than 254 characters (RFC 5321).
    #[error("is longer than 254 characters")]
    TooLong,
}

/// The characters of a dot-atom besides letters, digits and dots (RFC 5322 `atext`).
const ATOM_SYMBOLS: &str = "!#$%&'*+-/=?^_`{|}~";

impl EmailAddress {
    /// Parses and normalises an address.
    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let text = text.trim();
        if text.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = text.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            // A top-level label of digits alone is an IP address, not a mail domain.
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|top| top.chars().any(|c| c.is_ascii_alphabetic()));
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.split('.').all(|atom| !atom.is_empty())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || ATOM_SYMBOLS.contains(c));
        let lowered = text.to_ascii_lowercase();
        if !(domain_ok && local_ok) || lowered.parse::<lettre::Address>().is_err() {
            return Err(EmailError::Malformed);
        }
        Ok(Self(lowered))
    }

    /// The address as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// The address itself.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The region's official mail domains, lower-case. An entry is an exact domain
/// (`tojounaunakab.go.id` covers that domain only), or `*.` before a domain for every domain
/// below it (`*.tojounaunakab.go.id` covers `dinkes.tojounaunakab.go.id` and deeper, not
/// `tojounaunakab.go.id` itself). Subdomains are not official by default: anyone who can make a
/// DNS name under the Pemda's domain (a hosting partner, a forgotten delegation) could
/// otherwise mail as an official.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficialDomains(Vec<String>);

/// How an entry names the domains below it.
const WILDCARD: &str = "*.";

/// The fewest labels a wildcard's domain has: `*.go.id` would make every government domain of
/// the country official.
const WILDCARD_MIN_LABELS: usize = 3;

impl OfficialDomains {
    /// Normalises a list of entries; each is a DNS name with a dot, or `*.` and one with at
    /// least three labels. Returns the index of the first bad entry on failure.
    pub fn parse<S: AsRef<str>>(domains: &[S]) -> Result<Self, usize> {
        let mut normalised: Vec<String> = Vec::with_capacity(domains.len());
        for (index, domain) in domains.iter().enumerate() {
            // An entry is taken as written, but for its case: a stray `@`, space or tab is a
            // sign of a typo in the list, which should be told, not guessed at.
            let entry = domain.as_ref().to_ascii_lowercase();
            let (base, wildcard) = match entry.strip_prefix(WILDCARD) {
                Some(base) => (base, true),
                None => (entry.as_str(), false),
            };
            let valid = EmailAddress::parse(&format!("x@{base}")).is_ok_and(|a| a.domain() == base)
                && idna::domain_to_ascii_strict(base).is_ok_and(|ascii| ascii == base)
                && (!wildcard || base.split('.').count() >= WILDCARD_MIN_LABELS);
            if !valid {
                return Err(index);
            }
            if !normalised.contains(&entry) {
                normalised.push(entry);
            }
        }
        Ok(Self(normalised))
    }

    /// The entries, first one first.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether none are configured yet (a region set up without a preset).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether an address is inside an official domain: one listed exactly, or below a
    /// `*.` entry.
    pub fn contains(&self, address: &EmailAddress) -> bool {
        let domain = address.domain();
        self.0
            .iter()
            .any(|entry| match entry.strip_prefix(WILDCARD) {
                Some(base) => domain
                    .strip_suffix(base)
                    .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
                None => domain == entry,
            })
    }

    /// The default sender address: `servicedesk@<first exact domain>`; `None` when no exact
    /// domain is listed.
    pub fn default_sender(&self) -> Option<String> {
        self.0
            .iter()
            .find(|entry| !entry.starts_with(WILDCARD))
            .map(|domain| format!("servicedesk@{domain}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn domains(list: &[&str]) -> OfficialDomains {
        OfficialDomains::parse(list).expect("valid domains")
    }

    #[test]
    fn addresses_are_normalised_to_lower_case() {
        let address = EmailAddress::parse(" Budi.Santoso@Kupang.go.id ").expect("valid");
        assert_eq!(address.as_str(), "budi.santoso@kupang.go.id");
        assert_eq!(address.domain(), "kupang.go.id");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "budi",
            "budi@",
            "@kupang.go.id",
            "budi@localhost",
            "bu di@x.id",
            "a@b@c.id",
            "a@-x.id",
            "a,b@x.go.id",
            "a..b@x.go.id",
            ".a@x.go.id",
            "a.@x.go.id",
            "a(b)@x.go.id",
            "a@x.go.id.",
            "\"a b\"@x.go.id",
            "\"a\"@x.go.id",
            "a@[10.0.0.1]",
            "a@10.0.0.1",
            "a<b>@x.go.id",
            "a;b@x.go.id",
            "a\\b@x.go.id",
            "budi@kupang.go.id\r\nBcc: x@evil.id",
            "bü@x.go.id",
            "b@xü.go.id",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad}"
            );
        }
        let long = format!("{}@kupang.go.id", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn an_official_domain_covers_itself_and_a_wildcard_its_subdomains() {
        let exact = domains(&["ambon.go.id"]);
        let inside = |official: &OfficialDomains, a: &str| {
            official.contains(&EmailAddress::parse(a).expect("valid"))
        };
        assert!(inside(&exact, "admin@ambon.go.id"));
        assert!(!inside(&exact, "tier1@dinkes.ambon.go.id"));
        assert!(!inside(&exact, "x@evil.ambon.go.id"));
        assert!(!inside(&exact, "someone@gmail.com"));
        assert!(!inside(&exact, "fake@notambon.go.id"));
        assert!(!inside(&exact, "fake@ambon.go.id.evil.com"));

        let below = domains(&["*.ambon.go.id"]);
        assert!(inside(&below, "tier1@dinkes.ambon.go.id"));
        assert!(inside(&below, "tier1@a.b.ambon.go.id"));
        assert!(!inside(&below, "admin@ambon.go.id"), "only what is below");
        assert!(!inside(&below, "fake@notambon.go.id"));
        assert_eq!(below.default_sender(), None);
    }

    #[test]
    fn bad_entries_are_named_by_index() {
        for bad in [
            "*.go.id",
            "*",
            "*.",
            "**.ambon.go.id",
            "a*.ambon.go.id",
            "dinkes.*.go.id",
            "ambon.go.id.",
            "ambon",
            "ambon..go.id",
        ] {
            assert_eq!(OfficialDomains::parse(&["ok.go.id", bad]), Err(1), "{bad}");
        }
    }

    #[test]
    fn unusual_but_valid_addresses_are_kept() {
        for good in [
            "o'neil@x.go.id",
            "a+tag@x.go.id",
            "a_b-c.d@x-y.go.id",
            "1@2.id",
        ] {
            assert!(EmailAddress::parse(good).is_ok(), "{good}");
        }
    }

    /// Local parts and domains from the characters that make addresses go wrong: every RFC
    /// 5322 special, quotes, brackets, spaces, controls, dots in every place, non-ASCII.
    fn address_like() -> impl proptest::strategy::Strategy<Value = String> {
        let local = r#"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~(),:;<>@\\\[\] "\t\r\nü-]{1,12}"#;
        let domain = r#"[a-zA-Z0-9.\[\]_ ü-]{1,16}"#;
        (local, domain).prop_map(|(local, domain)| format!("{local}@{domain}"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// What the API takes, the mail transport can send to: one parser decides both.
        #[test]
        fn every_accepted_address_is_one_lettre_sends_to(text in address_like()) {
            if let Ok(address) = EmailAddress::parse(&text) {
                let parsed = address.as_str().parse::<lettre::Address>();
                proptest::prop_assert!(parsed.is_ok(), "{text:?} -> {:?}", address);
                let mailbox = lettre::message::Mailbox::new(None, parsed.expect("parsed"));
                proptest::prop_assert_eq!(mailbox.email.to_string(), address.as_str());
            }
        }

        /// Well-formed addresses are never refused for what lettre alone would take.
        #[test]
        fn plain_addresses_are_accepted(
            local in "[a-z0-9]([a-z0-9._+-]{0,10}[a-z0-9])?",
            domain in "[a-z0-9]{1,10}\\.(go\\.id|id)",
        ) {
            let text = format!("{local}@{domain}");
            let accepted = EmailAddress::parse(&text).is_ok();
            let consecutive_dots = local.contains("..");
            proptest::prop_assert_eq!(accepted, !consecutive_dots, "{}", text);
        }
    }

    #[test]
    fn domains_are_normalised_and_deduplicated() {
        let official = domains(&["Kupang.go.id", "kupang.go.id", "mail.kupang.go.id"]);
        assert_eq!(official.as_slice(), ["kupang.go.id", "mail.kupang.go.id"]);
        assert_eq!(
            official.default_sender().as_deref(),
            Some("servicedesk@kupang.go.id")
        );
        for typo in [
            "not a domain",
            "@gmail.com",
            " gmail.com ",
            "\tgmail.com",
            "gmail.com\n",
            "@*.kupang.go.id",
            "xn--zz.com",
        ] {
            assert_eq!(
                OfficialDomains::parse(&["ok.go.id", typo]),
                Err(1),
                "{typo:?}"
            );
        }
    }
}
