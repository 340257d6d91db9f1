//! The `servicedesk` binary.

fn main() -> std::process::ExitCode {
    servicedesk::cli::main()
}
