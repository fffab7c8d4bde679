//! `stackweave deploy`: an app's environment (or a stack file, or a cloud assembly on
//! disk) to CloudFormation, stack by stack in deploy order, through change sets: each
//! stack's plan (Stackweave's diff of the deployed template and the new one, then
//! CloudFormation's verdict on every resource), approval when the policy asks for it, then
//! the change set executed and followed to the end. The I/O is `stackweave-deploy`'s; what
//! the plan and reports say is `stackweave_deploy::rollout`'s.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

use stackweave_deploy::rollout::{self, ApprovalPolicy};
use stackweave_deploy::schedule::{self, Outcome};
use stackweave_deploy::{Connection, Existing, Prepared, Target, change_set, deployed, follow};
use stackweave_synth::Diagnostic;

use crate::app::Selection;
use crate::flags::SynthesisArgs;
use crate::targets::{self, ConnectionArgs, Session};
use crate::{exit, output, report};

#[derive(clap::Args)]
pub struct DeployArgs {
    /// The app file or stack file, or a folder holding `app.yaml` or `stack.yaml`
    #[arg(default_value = ".", value_name = "APP|STACK")]
    input: PathBuf,
    #[command(flatten)]
    selection: Selection,
    /// Deploy the cloud assembly in this folder (`synth APP --out DIR` wrote it as
    /// `DIR/<env>`) instead of synthesising
    #[arg(long, value_name = "DIR")]
    assembly: Option<PathBuf>,
    /// How many independent stacks to deploy at once
    #[arg(long, value_name = "N", default_value = "4")]
    concurrency: NonZeroUsize,
    /// When to stop for approval: never, broadening (IAM widened), any-change
    #[arg(long, value_name = "POLICY", default_value = "broadening")]
    require_approval: ApprovalPolicy,
    /// Create the change sets and print the plans, but execute nothing (the change sets are
    /// left for review)
    #[arg(long)]
    no_execute: bool,
    /// Write every deployed stack's outputs here as JSON: {stackName: {OutputKey: value}}
    #[arg(long, value_name = "FILE")]
    outputs_file: Option<PathBuf>,
    /// Turn on termination protection of every stack deployed
    #[arg(long)]
    termination_protection: bool,
    #[command(flatten)]
    connection: ConnectionArgs,
    #[command(flatten)]
    synthesis: SynthesisArgs,
}

/// Everything a stack's task reads, shared on the command's one thread.
struct Run {
    connection: Connection,
    args: DeployArgs,
    interactive: bool,
    color: bool,
    outputs: RefCell<BTreeMap<String, BTreeMap<String, String>>>,
    /// Held while asking someone, so that two stacks never ask at once.
    asking: stackweave_deploy::Turn,
}

pub fn run(mut args: DeployArgs) -> ExitCode {
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
        args.assembly.as_deref(),
        &args.selection,
        &args.connection,
        &options,
    ) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let run = Rc::new(Run {
        connection,
        interactive,
        color: report::use_color(),
        outputs: RefCell::new(BTreeMap::new()),
        asking: stackweave_deploy::Turn::new(()),
        args,
    });
    let waits = targets::waits(&targets, false);
    let targets = Rc::new(targets);
    let concurrency = run.args.concurrency.get();
    let outcomes = stackweave_deploy::block_on(&runtime, {
        let (run, targets) = (run.clone(), targets.clone());
        async move {
            schedule::run(&waits, concurrency, |i| {
                let (run, targets) = (run.clone(), targets.clone());
                async move { deploy_stack(&run, &targets[i]).await }
            })
            .await
        }
    });
    for (target, outcome) in targets.iter().zip(&outcomes) {
        if *outcome == Outcome::Skipped {
            eprintln!(
                "{}: not deployed (an earlier stack failed)",
                target.stack_name
            );
        }
    }
    if let Some(path) = &run.args.outputs_file {
        let outputs = serde_json::to_value(&*run.outputs.borrow()).unwrap_or_default();
        if let Err(error) = output::write_atomically(path, &output::pretty(&outputs)) {
            return exit::report(&[error]);
        }
    }
    match outcomes.iter().all(|o| matches!(o, Outcome::Done(()))) {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(1),
    }
}

/// One stack: change set, plan, approval, execute and follow. Errors are printed here.
async fn deploy_stack(run: &Run, target: &Target) -> Result<(), ()> {
    let result = deploy_stack_inner(run, target).await;
    if let Err(error) = &result {
        exit::report(std::slice::from_ref(error));
    }
    result.map_err(|_| ())
}

async fn deploy_stack_inner(run: &Run, target: &Target) -> Result<(), Diagnostic> {
    let clients = run.connection.clients(&target.region);
    let name = &target.stack_name;
    let existing = change_set::existing(&clients, name).await?;
    let deployed_template = match &existing {
        Existing::Deployed { .. } => deployed::template(&clients, name).await?,
        Existing::New => None,
    };
    let change_set = match change_set::prepare(&clients, target, &existing).await? {
        Prepared::NoChanges => {
            say(&format!("{name}: no changes\n"));
            record_outputs(run, &clients, name).await?;
            return Ok(());
        }
        Prepared::Ready(change_set) => change_set,
    };
    let empty = serde_json::json!({});
    let semantic = stackweave_diff::diff(
        deployed_template.as_ref().unwrap_or(&empty),
        &target.template,
    )
    .render_text(run.color);
    let approval = rollout::approval_needed(
        run.args.require_approval,
        deployed_template.as_ref(),
        &target.template,
    );
    say(&rollout::render_plan(
        name,
        &semantic,
        &change_set.changes,
        approval.as_deref(),
    ));
    if run.args.no_execute {
        say(&format!(
            "{name}: change set `{}` created and left for review (`--no-execute`)\n",
            change_set.name
        ));
        return Ok(());
    }
    if approval.is_some() && !approved(run, name).await {
        change_set::delete(&clients, name, &change_set.name).await?;
        if change_set.creates {
            // The empty stack a CREATE change set made would otherwise stay behind.
            deployed::delete(&clients, &change_set.stack_id, &mut |_| {}).await?;
        }
        let message = format!("the plan of {name} needs approval, and it was not given");
        let help = match run.interactive {
            true => "nothing was deployed; deploy again and answer y to go ahead".to_owned(),
            false => format!(
                "nothing was deployed; no one can be asked here (not a terminal): review the plan above and give `--require-approval never` to accept it (policy: {})",
                policy_name(run.args.require_approval)
            ),
        };
        return Err(Diagnostic::error(message).help(help));
    }
    let started = Instant::now();
    let mut progress = rollout::Progress::new(name, change_set.changes.len());
    let interactive = run.interactive;
    let mut on_event = |event: &rollout::StackEvent| {
        progress.observe(event);
        let elapsed = started.elapsed();
        match interactive {
            true => {
                eprint!(
                    "\r\x1b[2K{}\n",
                    rollout::Progress::event_line(event, elapsed)
                );
                eprint!("{}", progress.status_line(elapsed));
                let _ = std::io::stderr().flush();
            }
            false => say(&format!(
                "{}\n",
                rollout::Progress::event_line(event, elapsed)
            )),
        }
    };
    let finished = follow::execute(
        &clients,
        &change_set.stack_id,
        &change_set.name,
        change_set.creates,
        &mut on_event,
    )
    .await?;
    if interactive {
        eprintln!();
    }
    if !finished.succeeded {
        say(&rollout::failure_report(
            name,
            &target.region,
            &finished.status,
            &finished.events,
        ));
        return Err(
            Diagnostic::error(format!("{name} failed to deploy ({})", finished.status))
                .help("see the events above; fix the cause and deploy again"),
        );
    }
    if run.args.termination_protection {
        deployed::protect(&clients, name).await?;
    }
    say(&format!(
        "{name}: {} in {:.1}s\n",
        finished.status,
        started.elapsed().as_secs_f64()
    ));
    record_outputs(run, &clients, name).await
}

async fn record_outputs(
    run: &Run,
    clients: &stackweave_deploy::Clients,
    name: &str,
) -> Result<(), Diagnostic> {
    if run.args.outputs_file.is_some() {
        let outputs = deployed::outputs(clients, name).await?;
        run.outputs.borrow_mut().insert(name.to_owned(), outputs);
    }
    Ok(())
}

/// Asks on the terminal (when there is one) whether to deploy `stack`'s plan.
async fn approved(run: &Run, stack: &str) -> bool {
    if !run.interactive {
        return false;
    }
    let _turn = run.asking.lock().await;
    eprint!("deploy {stack} as planned above? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    // Reading blocks the command's thread: the other stacks wait for the answer too.
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes")
}

fn policy_name(policy: ApprovalPolicy) -> &'static str {
    match policy {
        ApprovalPolicy::Never => "never",
        ApprovalPolicy::Broadening => "broadening",
        ApprovalPolicy::AnyChange => "any-change",
    }
}

/// Prints to stdout as one write, so that lines of stacks deployed at once do not mix.
fn say(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
