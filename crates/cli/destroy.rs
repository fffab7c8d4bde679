//! `stackweave destroy`: delete an app environment's stacks (or a stack file's stack), the
//! stacks that read others first (the reverse of deploy order), after confirmation. A stack
//! whose export another stack imports is refused: CloudFormation would fail half-way.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use stackweave_deploy::schedule::{self, Outcome};
use stackweave_deploy::{Connection, Target, deployed};
use stackweave_synth::Diagnostic;

use crate::app::Selection;
use crate::exit;
use crate::flags::SynthesisArgs;
use crate::targets::{self, ConnectionArgs, Session};

#[derive(clap::Args)]
pub struct DestroyArgs {
    /// The app file or stack file, or a folder holding `app.yaml` or `stack.yaml`
    #[arg(default_value = ".", value_name = "APP|STACK")]
    input: PathBuf,
    #[command(flatten)]
    selection: Selection,
    /// Delete without asking (required when not on a terminal)
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    connection: ConnectionArgs,
    #[command(flatten)]
    synthesis: SynthesisArgs,
}

pub fn run(mut args: DestroyArgs) -> ExitCode {
    let options = match std::mem::take(&mut args.synthesis).options() {
        Ok(options) => options,
        Err(error) => return exit::usage_error(&error),
    };
    let Session {
        runtime,
        connection,
        targets,
    } = match targets::open(
        &args.input,
        None,
        &args.selection,
        &args.connection,
        &options,
    ) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let names: Vec<&str> = targets
        .iter()
        .rev()
        .map(|t| t.stack_name.as_str())
        .collect();
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            let error = Diagnostic::error(format!(
                "`destroy` would delete {}, and no one can confirm it here (not a terminal)",
                names.join(", ")
            ))
            .help("give `--yes` to delete without asking");
            return exit::usage_error(&error);
        }
        eprint!("delete {}? [y/N] ", names.join(", "));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("nothing was deleted");
            return ExitCode::from(1);
        }
    }
    let waits = targets::waits(&targets, true);
    let targets = Rc::new(targets);
    let connection = Rc::new(connection);
    let outcomes = stackweave_deploy::block_on(&runtime, {
        let (targets, connection) = (targets.clone(), connection.clone());
        async move {
            // One at a time: an importer must be gone before its exporter is checked.
            schedule::run(&waits, 1, |i| {
                let (targets, connection) = (targets.clone(), connection.clone());
                async move {
                    destroy_stack(&connection, &targets[i])
                        .await
                        .map_err(|error| {
                            exit::report(&[error]);
                        })
                }
            })
            .await
        }
    });
    match outcomes.iter().all(|o| matches!(o, Outcome::Done(()))) {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(1),
    }
}

async fn destroy_stack(connection: &Connection, target: &Target) -> Result<(), Diagnostic> {
    let clients = connection.clients(&target.region);
    let name = &target.stack_name;
    let imported = deployed::importers(&clients, name).await?;
    if !imported.is_empty() {
        let list: Vec<String> = imported
            .iter()
            .map(|(export, stacks)| format!("`{export}` by {}", stacks.join(", ")))
            .collect();
        return Err(Diagnostic::error(format!(
            "{name} cannot be deleted: its exports are imported ({})",
            list.join("; ")
        ))
        .help("destroy or update the importing stacks first, so that none imports these exports"));
    }
    let mut on_event = |event: &stackweave_deploy::rollout::StackEvent| {
        println!(
            "{name} | {} {} {}",
            event.status, event.resource_type, event.logical_id
        );
    };
    match deployed::delete(&clients, name, &mut on_event).await? {
        None => println!("{name}: not deployed, nothing to delete"),
        Some(finished) if finished.succeeded => println!("{name}: deleted"),
        Some(finished) => {
            return Err(Diagnostic::error(format!("{name} was not deleted ({})", finished.status))
                .help("see the events above; fix the cause (a resource that cannot be deleted, termination protection) and destroy again"));
        }
    }
    Ok(())
}
