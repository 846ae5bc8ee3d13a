fn main() -> std::process::ExitCode {
    hienmau::cli::main()
}
