//! What the demo region holds: its PDs, services and the titles of its tickets.

/// The PDs of the demo: code and name.
pub(super) const PDS: [(&str, &str); 12] = [
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
pub(super) const SERVICES: [(&str, &str, usize, bool); 8] = [
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

/// The service whose policy counts round the clock (a hospital never closes): the tickets due
/// within minutes of the seed are on it, whatever the hour.
pub(super) const ROUND_THE_CLOCK_SERVICE: usize = 2;

pub(super) const TITLES: [&str; 12] = [
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
