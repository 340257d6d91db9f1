//! Email addresses and the region's official domains.
//!
//! Perwali Palangka Raya 23/2020 Pasal 38 makes the official domain mandatory for official
//! communication; Perbup Tojo Una-Una 17/2024 and Perwali Kupang 11/2025 Pasal 30 name it for
//! official correspondence. Every address an official uses here must be inside one.

/// A syntactically valid address, lower-cased so that one mailbox has one spelling.
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
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local.chars().all(|c| c.is_ascii_graphic());
        if !(domain_ok && local_ok) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(text.to_ascii_lowercase()))
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

/// The region's official mail domains, lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficialDomains(Vec<String>);

impl OfficialDomains {
    /// Normalises a list of domains; each must look like a DNS name with a dot. Returns the
    /// index of the first bad entry on failure.
    pub fn parse<S: AsRef<str>>(domains: &[S]) -> Result<Self, usize> {
        let mut normalised: Vec<String> = Vec::with_capacity(domains.len());
        for (index, domain) in domains.iter().enumerate() {
            let domain = domain
                .as_ref()
                .trim()
                .trim_start_matches('@')
                .to_ascii_lowercase();
            if EmailAddress::parse(&format!("x@{domain}")).is_err() {
                return Err(index);
            }
            if !normalised.contains(&domain) {
                normalised.push(domain);
            }
        }
        Ok(Self(normalised))
    }

    /// The domains, first one first (it names the default sender).
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether none are configured yet (a region set up without a preset).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether an address belongs to an official domain or one of its subdomains (a PD's own
    /// subdomain such as `dinkes.ambon.go.id` is still the Pemda's domain).
    pub fn contains(&self, address: &EmailAddress) -> bool {
        let domain = address.domain();
        self.0.iter().any(|official| {
            domain == official
                || domain
                    .strip_suffix(official.as_str())
                    .is_some_and(|prefix| prefix.ends_with('.'))
        })
    }

    /// The default sender address: `servicedesk@<first domain>`.
    pub fn default_sender(&self) -> Option<String> {
        self.0.first().map(|domain| format!("servicedesk@{domain}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn official_domain_and_its_subdomains_are_official() {
        let official = domains(&["ambon.go.id"]);
        let inside = |a: &str| official.contains(&EmailAddress::parse(a).expect("valid"));
        assert!(inside("admin@ambon.go.id"));
        assert!(inside("tier1@dinkes.ambon.go.id"));
        assert!(!inside("someone@gmail.com"));
        assert!(!inside("fake@notambon.go.id"));
        assert!(!inside("fake@ambon.go.id.evil.com"));
    }

    #[test]
    fn domains_are_normalised_and_deduplicated() {
        let official = domains(&["@Kupang.go.id", "kupang.go.id", "mail.kupang.go.id"]);
        assert_eq!(official.as_slice(), ["kupang.go.id", "mail.kupang.go.id"]);
        assert_eq!(
            official.default_sender().as_deref(),
            Some("servicedesk@kupang.go.id")
        );
        assert_eq!(
            OfficialDomains::parse(&["ok.go.id", "not a domain"]),
            Err(1)
        );
    }
}
