//! The five region presets of docs/presets.md: what an empty database is seeded with.

use super::governance::Governance;
use super::zone::Zone;

/// One region's starting settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionPreset {
    /// The value of `SERVICEDESK_REGION_PRESET`.
    pub key: &'static str,
    /// The Pemda's name.
    pub region_name: &'static str,
    /// IANA timezone of the region's offices.
    pub timezone: Zone,
    /// Official mail domains, the sender's first.
    pub official_domains: &'static [&'static str],
    /// The Dinas unit (Tier 2 home): its legal name.
    pub dinas_name: &'static str,
    /// What the regulation calls Tier 1, used in mail and reports.
    pub tier1_label: &'static str,
    /// What Tier 2 is called.
    pub tier2_label: &'static str,
    /// The regulation the preset follows.
    pub regulation: &'static str,
    /// What the regulation asks beyond tickets.
    pub governance: Governance,
}

const NO_GOVERNANCE: Governance = Governance {
    critical_designation: false,
    tier1_compliance_mail: false,
    supervision_interval_days: None,
};

/// Tojo Una-Una and Kupang: Pasal 46 (7) asks a Tier 1 in every PD.
const TIER1_IN_EVERY_PD: Governance = Governance {
    tier1_compliance_mail: true,
    ..NO_GOVERNANCE
};

/// Code of the Dinas unit every preset creates.
pub const DINAS_UNIT_CODE: &str = "DISKOMINFO";

const TIER2: &str = "Service Desk Tier 2";

/// All presets, in the order of docs/presets.md.
pub const PRESETS: &[RegionPreset] = &[
    RegionPreset {
        key: "palangka-raya",
        region_name: "Kota Palangka Raya",
        timezone: Zone(chrono_tz::Asia::Jakarta),
        official_domains: &["palangkaraya.go.id"],
        dinas_name: "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Palangka Raya",
        tier1_label: "Personel Pengelola TIK",
        tier2_label: TIER2,
        regulation: "Peraturan Walikota Palangka Raya Nomor 23 Tahun 2020",
        governance: Governance {
            critical_designation: true,
            ..NO_GOVERNANCE
        },
    },
    RegionPreset {
        key: "tojo-una-una",
        region_name: "Kabupaten Tojo Una-Una",
        timezone: Zone(chrono_tz::Asia::Makassar),
        official_domains: &["tojounaunakab.go.id"],
        dinas_name: "Dinas Komunikasi, Informatika, Persandian dan Statistik Kabupaten Tojo Una-Una",
        tier1_label: "Service Desk Tier 1",
        tier2_label: TIER2,
        regulation: "Peraturan Bupati Tojo Una-Una Nomor 17 Tahun 2024",
        governance: TIER1_IN_EVERY_PD,
    },
    RegionPreset {
        key: "batu",
        region_name: "Kota Batu",
        timezone: Zone(chrono_tz::Asia::Jakarta),
        official_domains: &["batukota.go.id"],
        dinas_name: "Dinas Komunikasi dan Informatika Kota Batu",
        tier1_label: "Tim Teknis TIK",
        tier2_label: TIER2,
        regulation: "Peraturan Wali Kota Batu Nomor 42 Tahun 2021",
        governance: NO_GOVERNANCE,
    },
    RegionPreset {
        key: "ambon",
        region_name: "Kota Ambon",
        timezone: Zone(chrono_tz::Asia::Jayapura),
        official_domains: &["ambon.go.id"],
        dinas_name: "Dinas Komunikasi, Informatika dan Persandian Kota Ambon",
        tier1_label: "Administrator PD",
        tier2_label: TIER2,
        regulation: "Peraturan Walikota Ambon Nomor 29 Tahun 2021",
        governance: Governance {
            supervision_interval_days: Some(90),
            ..NO_GOVERNANCE
        },
    },
    RegionPreset {
        key: "kupang",
        region_name: "Kota Kupang",
        timezone: Zone(chrono_tz::Asia::Makassar),
        official_domains: &["kupang.go.id"],
        dinas_name: "Dinas Komunikasi dan Informatika Kota Kupang",
        tier1_label: "Service Desk Tier 1",
        tier2_label: TIER2,
        regulation: "Peraturan Wali Kota Kupang Nomor 11 Tahun 2025",
        governance: TIER1_IN_EVERY_PD,
    },
];

/// The starting point when no preset is named: the shape of a region with its official domains
/// still to be set by an admin (`PUT /api/v1/region`).
pub const UNCONFIGURED: RegionPreset = RegionPreset {
    key: "",
    region_name: "Pemerintah Daerah (belum dikonfigurasi)",
    timezone: Zone(chrono_tz::Asia::Jakarta),
    official_domains: &[],
    dinas_name: "Dinas Komunikasi dan Informatika",
    tier1_label: "Service Desk Tier 1",
    tier2_label: TIER2,
    regulation: "",
    governance: NO_GOVERNANCE,
};

/// Finds a preset by its key.
pub fn find(key: &str) -> Option<&'static RegionPreset> {
    PRESETS.iter().find(|p| p.key == key)
}

impl RegionPreset {
    /// The Dinas unit's mailbox: `diskominfo@<first domain>`, editable later.
    pub fn dinas_mailbox(&self) -> Option<String> {
        self.official_domains
            .first()
            .map(|domain| format!("diskominfo@{domain}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::OfficialDomains;

    #[test]
    fn every_preset_has_a_valid_domain() {
        for preset in PRESETS {
            let domains = OfficialDomains::parse(preset.official_domains).expect("valid domains");
            assert!(!domains.is_empty(), "{}", preset.key);
        }
        assert_eq!(PRESETS.len(), 5);
    }

    #[test]
    fn presets_are_found_by_key() {
        assert_eq!(
            find("kupang").map(|p| p.timezone.as_str()),
            Some("Asia/Makassar")
        );
        assert_eq!(
            find("ambon").map(|p| p.timezone.as_str()),
            Some("Asia/Jayapura")
        );
        assert!(find("jakarta").is_none());
    }
}
