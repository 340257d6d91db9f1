//! `servicedesk seed-demo`: a living demo region for newcomers, made through the same use cases
//! as the API (so the demo obeys every rule the service enforces).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::action_requests::{
    AcknowledgeRequest, ActionRequest, CancelRequest, CloseRequest, EscalateRequest, PendRequest,
    ResolveRequest,
};
use super::services::NewService;
use super::ticket_view::Reporter;
use super::tickets::NewTicket;
use super::units::NewUnit;
use super::users::NewUser;
use super::{Desk, ServiceError};
use crate::auth::Caller;
use crate::db;
use crate::domain::role::{Role, UnitKind};
use crate::domain::ticket::{Kind, Level};

/// The PDs of the demo: code and name.
const PDS: [(&str, &str); 12] = [
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan"),
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    ),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    ),
    ("DINSOS", "Dinas Sosial"),
    ("DISHUB", "Dinas Perhubungan"),
    ("INSPEKTORAT", "Inspektorat Daerah"),
    ("SETDA", "Sekretariat Daerah"),
    ("RSUD", "Rumah Sakit Umum Daerah"),
];

/// Services: code, name, owner PD (index into `PDS`), critical.
const SERVICES: [(&str, &str, usize, bool); 8] = [
    ("SIMPEG", "Sistem Informasi Manajemen Kepegawaian", 2, true),
    ("SIPD", "Sistem Informasi Pemerintahan Daerah", 5, true),
    ("SIMRS", "Sistem Informasi Manajemen Rumah Sakit", 11, true),
    (
        "SIAK",
        "Sistem Informasi Administrasi Kependudukan",
        4,
        true,
    ),
    ("EOFFICE", "Tata Naskah Dinas Elektronik", 10, false),
    ("PERIZINAN", "Perizinan Berusaha Daerah", 6, false),
    ("DAPODIK", "Data Pokok Pendidikan", 1, false),
    (
        "SIMDA",
        "Sistem Informasi Manajemen Keuangan Daerah",
        3,
        true,
    ),
];

const TITLES: [&str; 12] = [
    "Aplikasi tidak bisa diakses",
    "Login gagal terus",
    "Jaringan internet kantor putus",
    "Printer jaringan tidak terdeteksi",
    "Permintaan akun baru pegawai",
    "Laporan tidak bisa diunduh",
    "Surel dinas tidak masuk",
    "Keluhan layanan lambat",
    "Perubahan hak akses pengguna",
    "Data ganda di basis data",
    "Sertifikat situs kedaluwarsa",
    "Komputer terkena virus",
];

/// What `seed-demo` made, to tell the newcomer how to sign in.
#[derive(Debug)]
pub struct DemoSummary {
    /// `(email, role, unit code)` of every account made.
    pub accounts: Vec<(String, Role, String)>,
    /// How many tickets were recorded.
    pub tickets: usize,
}

fn caller(user: &super::users::UserView) -> Caller {
    Caller {
        user_id: user.id.clone(),
        role: user.role,
        unit_id: user.unit_id.clone(),
    }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

impl Desk {
    /// Fills a freshly seeded database with a demo region: twelve PDs with two Tier 1
    /// technicians each, Tier 2 staff, a supervisor, an auditor, services and `tickets`
    /// tickets across every status. Every account gets `password`.
    pub fn seed_demo(&self, password: &str, tickets: usize) -> Result<DemoSummary, ServiceError> {
        let domain = {
            let mut conn = self.conn()?;
            let units = db::units::list(&mut conn, None, 2)?;
            if units.len() > 1 {
                return Err(ServiceError::Conflict {
                    code: "not_empty",
                    message: "seed-demo fills an empty database only; this one already has units"
                        .into(),
                });
            }
            let region = super::region::load(&mut conn)?;
            region.domains.as_slice().first().cloned().ok_or_else(|| {
                ServiceError::field(
                    "SERVICEDESK_REGION_PRESET",
                    "the region has no official domain yet; start with a preset, e.g. tojo-una-una",
                )
            })?
        };
        let mut accounts = Vec::new();
        let mut account = |user: super::users::UserView, unit: &str| {
            accounts.push((user.email.clone(), user.role, unit.to_owned()));
            caller(&user)
        };
        let admin = account(
            self.create_admin(&format!("admin@{domain}"), "Admin Diskominfo", password)?,
            "-",
        );
        let user = |name: &str, email: String, role, unit_id: Option<String>| NewUser {
            name: name.to_owned(),
            email,
            password: Some(password.to_owned()),
            role,
            unit_id,
        };
        let dinas = {
            let mut conn = self.conn()?;
            db::units::dinas(&mut conn)?
                .ok_or_else(|| ServiceError::Internal("no Dinas unit".into()))?
        };
        let mut tier2 = Vec::new();
        for (i, name) in ["Andi Wijaya", "Rina Kartika"].iter().enumerate() {
            let made = self.create_user(
                &admin,
                user(
                    name,
                    format!("tier2.{}@{domain}", i + 1),
                    Role::Tier2,
                    Some(dinas.id.clone()),
                ),
            )?;
            tier2.push(account(made, &dinas.code));
        }
        account(
            self.create_user(
                &admin,
                user(
                    "Hendra Gunawan",
                    format!("supervisor@{domain}"),
                    Role::Supervisor,
                    Some(dinas.id.clone()),
                ),
            )?,
            &dinas.code,
        );
        account(
            self.create_user(
                &admin,
                user(
                    "Tim Inspektorat",
                    format!("auditor@{domain}"),
                    Role::Auditor,
                    None,
                ),
            )?,
            "-",
        );

        let mut pds = Vec::new();
        for (code, name) in PDS {
            let unit = self.create_unit(
                &admin,
                NewUnit {
                    code: code.to_owned(),
                    name: format!("{name} (demo)"),
                    kind: UnitKind::Pd,
                    email: Some(format!("{}@{domain}", code.to_lowercase())),
                },
            )?;
            let mut technicians = Vec::new();
            for n in 1..=2 {
                let email = format!("tier1.{}.{n}@{domain}", code.to_lowercase());
                let made = self.create_user(
                    &admin,
                    user(
                        &format!("Teknisi {code} {n}"),
                        email,
                        Role::Tier1,
                        Some(unit.id.clone()),
                    ),
                )?;
                technicians.push(account(made, code));
            }
            pds.push((unit, technicians));
        }
        let mut services = Vec::new();
        for (code, name, owner, critical) in SERVICES {
            let made = self.create_service(
                &admin,
                NewService {
                    code: code.to_owned(),
                    name: name.to_owned(),
                    owner_unit_id: pds[owner].0.id.clone(),
                    critical,
                    sla_policy_id: None,
                    availability_target_percent: Some(if critical { 99.5 } else { 98.0 }),
                    description: format!("{name} (layanan demo)"),
                },
            )?;
            services.push(made.id);
        }

        let mut rng = StdRng::seed_from_u64(2026);
        let levels = [Level::High, Level::Medium, Level::Low];
        for n in 0..tickets {
            let (unit, technicians) = &pds[rng.random_range(0..pds.len())];
            let tier1 = &technicians[rng.random_range(0..technicians.len())];
            let security_incident = rng.random_ratio(1, 25);
            let ticket = self.create_ticket(
                tier1,
                NewTicket {
                    kind: pick(&mut rng, Kind::ALL),
                    title: format!("{} ({})", pick(&mut rng, &TITLES), unit.code),
                    description: "Dilaporkan melalui Service Desk Tier 1 (data demo).".into(),
                    service_id: rng
                        .random_bool(0.6)
                        .then(|| services[rng.random_range(0..services.len())].clone()),
                    impact: pick(&mut rng, &levels),
                    urgency: pick(&mut rng, &levels),
                    reporter: Reporter {
                        name: format!("Pegawai {} #{n}", unit.code),
                        email: Some(format!("pelapor{n}@{domain}")),
                        phone: None,
                    },
                    classification: None,
                    security_incident,
                    unit_id: None,
                },
                None,
            )?;
            let reason = |text: &str| text.to_owned();
            let acknowledge = || ActionRequest::from(AcknowledgeRequest {});
            let resolve = || {
                ActionRequest::from(ResolveRequest {
                    resolution: "Sudah ditangani (demo).".into(),
                })
            };
            let close = || ActionRequest::from(CloseRequest {});
            let escalate = |text: &str| {
                ActionRequest::from(EscalateRequest {
                    reason: reason(text),
                })
            };
            let worker = &tier2[rng.random_range(0..tier2.len())];
            // Each path leaves the ticket in one of the statuses, at one of the tiers.
            let path: Vec<(&Caller, ActionRequest)> = match rng.random_range(0..9) {
                0 => vec![],
                1 => vec![(tier1, acknowledge())],
                2 => vec![(
                    tier1,
                    PendRequest {
                        reason: reason("Menunggu konfirmasi pelapor"),
                    }
                    .into(),
                )],
                3 => vec![(tier1, escalate("Di luar kewenangan Tier 1"))],
                4 => vec![
                    (tier1, escalate("Butuh akses pusat data")),
                    (worker, acknowledge()),
                ],
                5 => vec![(tier1, acknowledge()), (tier1, resolve())],
                6 => vec![(tier1, acknowledge()), (tier1, resolve()), (tier1, close())],
                7 => vec![
                    (tier1, escalate("Gangguan di server pusat")),
                    (worker, resolve()),
                    (worker, close()),
                ],
                _ => vec![(
                    tier1,
                    CancelRequest {
                        reason: reason("Laporan ganda"),
                    }
                    .into(),
                )],
            };
            for (who, request) in path {
                self.act_on_ticket(who, &ticket.id, request, None)?;
            }
        }
        Ok(DemoSummary { accounts, tickets })
    }
}
