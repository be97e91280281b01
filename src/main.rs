fn main() -> std::process::ExitCode {
    cloudwright::cli::main()
}
