//! Real faulty file systems for the storage tests: a small tmpfs that can be filled, and an
//! ext4 image that can be made to fail read-only, each mounted over a test's data directory
//! and unmounted when dropped, also when the test panics.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A file system this test mounted.
pub struct Mounted {
    target: PathBuf,
    device: Option<String>,
}

impl Mounted {
    /// A tmpfs of `size` (e.g. `4m`) over `target`; `None` when the OS forbids this process to
    /// mount (not root, no CAP_SYS_ADMIN), after saying so. Any other failure fails the test.
    pub fn tmpfs(target: &Path, size: &str) -> Option<Self> {
        mount(
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            target,
        )?;
        Some(Self {
            target: target.to_owned(),
            device: None,
        })
    }

    /// An ext4 file system in an image file beside `target`, mounted over it through a loop
    /// device with `errors=remount-ro`, so that [`Mounted::fail_read_only`] turns it read-only
    /// the way a failing disk does.
    pub fn ext4_image(target: &Path, image: &Path) -> Option<Self> {
        let file = File::create(image).expect("create the image file");
        file.set_len(16 << 20).expect("size the image file");
        run(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(image));
        let options = "loop,errors=remount-ro";
        mount(
            &["-t", "ext4", "-o", options, &image.display().to_string()],
            target,
        )?;
        let output = Command::new("findmnt")
            .args(["-n", "-o", "SOURCE"])
            .arg(target)
            .output()
            .expect("findmnt runs");
        let device = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        assert!(
            device.starts_with("/dev/"),
            "loop device of {target:?}: {device:?}"
        );
        Some(Self {
            target: target.to_owned(),
            device: Some(device),
        })
    }

    /// Fills the file system up with a file named `filler`, to the last byte it takes.
    pub fn fill(&self) {
        let mut filler = File::create(self.filler()).expect("create the filler");
        let chunk = vec![0x5a_u8; 64 << 10];
        let mut size = chunk.len();
        while size > 0 {
            match filler.write(&chunk[..size]) {
                Ok(0) => size /= 2,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::StorageFull => size /= 2,
                Err(e) => panic!("filling {:?}: {e}", self.target),
            }
        }
    }

    /// Frees what [`Mounted::fill`] took.
    pub fn free(&self) {
        std::fs::remove_file(self.filler()).expect("remove the filler");
    }

    /// Makes ext4 record an error, which with `errors=remount-ro` turns it read-only for
    /// every open file at once, as after a failing write on a dying disk.
    pub fn fail_read_only(&self) {
        let device = self.device.as_deref().expect("an ext4 image");
        let name = device.trim_start_matches("/dev/");
        let trigger = format!("/sys/fs/ext4/{name}/trigger_fs_error");
        std::fs::write(&trigger, "storage test\n")
            .unwrap_or_else(|e| panic!("cannot write {trigger}: {e}"));
    }

    fn filler(&self) -> PathBuf {
        self.target.join("filler")
    }
}

impl Drop for Mounted {
    /// Lazily, because the server of the test may still hold its files open; the loop device
    /// goes away with the last of them (`mount -o loop` sets it to clear itself).
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.target).status();
    }
}

/// Mounts, or says why not and answers `None` when the refusal is a matter of permission.
fn mount(args: &[&str], target: &Path) -> Option<()> {
    let output = match Command::new("mount").args(args).arg(target).output() {
        Ok(output) => output,
        Err(e) => panic!("mount(8) is needed for the storage tests: {e}"),
    };
    if output.status.success() {
        return Some(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lowered = stderr.to_lowercase();
    if ["permission denied", "only root", "operation not permitted"]
        .iter()
        .any(|refusal| lowered.contains(refusal))
    {
        eprintln!(
            "SKIPPED: this OS does not let the tests mount a file system ({}); \
             run them as root to test storage faults",
            stderr.trim()
        );
        return None;
    }
    panic!("mount {args:?} {target:?} failed: {}", stderr.trim());
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} cannot run: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
