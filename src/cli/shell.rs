//! `cloudwright completions` and `cloudwright man`: the command line as the shell and `man` see
//! it, generated from the same clap definition, so they cannot drift from `--help`.

use std::path::PathBuf;

use clap::CommandFactory as _;

use super::{Failure, print};

const COMPLETIONS_HELP: &str = "\
Install:
  bash        cloudwright completions bash > ~/.local/share/bash-completion/completions/cloudwright
  zsh         cloudwright completions zsh > \"${fpath[1]}/_cloudwright\"
  fish        cloudwright completions fish > ~/.config/fish/completions/cloudwright.fish
  powershell  cloudwright completions powershell >> $PROFILE
  elvish      cloudwright completions elvish >> ~/.config/elvish/rc.elv";

/// Print a shell completion script for every command, option and value.
#[derive(Debug, clap::Args)]
#[command(after_help = COMPLETIONS_HELP)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    shell: clap_complete::Shell,
}

pub fn completions(args: &CompletionsArgs) -> Result<(), Failure> {
    let mut command = super::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cloudwright", &mut script);
    print(&String::from_utf8_lossy(&script))
}

/// Print the manual page cloudwright(1), or write it and one page per command into a directory.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  cloudwright man | man -l -\n  cloudwright man --out-dir ~/.local/share/man/man1"
)]
pub struct ManArgs {
    /// Write cloudwright.1 and cloudwright-<command>.1 into this directory (created if missing)
    /// instead of printing cloudwright.1.
    #[arg(long, short, value_hint = clap::ValueHint::DirPath)]
    out_dir: Option<PathBuf>,
}

pub fn man(args: &ManArgs) -> Result<(), Failure> {
    let pages = pages().map_err(|e| Failure::Tool(format!("cannot render the manual: {e}")))?;
    let Some(dir) = &args.out_dir else {
        return print(&pages[0].1);
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Tool(format!("cannot create {}: {e}", dir.display())))?;
    let mut report = String::new();
    for (name, text) in &pages {
        let path = dir.join(name);
        let status =
            crate::write::write_file(&path, text).map_err(|e| Failure::Tool(e.to_string()))?;
        report.push_str(&format!("{:<9} {}\n", status.as_str(), path.display()));
    }
    print(&report)
}

/// Every manual page as (file name, roff text): cloudwright.1 first, then one per command, as
/// `clap_mangen::generate_to` lays them out, but rendered in memory so that the writing goes
/// through [`crate::write`] (atomic, and never into something that is not a regular file). The
/// pages give the plain version: the catalog digest of `--version` changes with every catalog
/// edit, and a manual page is not where to look for it.
fn pages() -> std::io::Result<Vec<(String, String)>> {
    let mut root = super::Cli::command().disable_help_subcommand(true);
    root.build();
    let mut commands = vec![root.clone()];
    commands.extend(root.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    commands
        .into_iter()
        .map(|command| {
            let page = clap_mangen::Man::new(command);
            let mut text = Vec::new();
            page.render(&mut text)?;
            Ok((
                page.get_filename(),
                String::from_utf8_lossy(&text).into_owned(),
            ))
        })
        .collect()
}
