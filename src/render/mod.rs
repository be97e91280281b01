//! Rendering a plan into files, in memory: no disk access here (see [`crate::write`]).

pub mod aws;
mod components;
mod context;
pub mod inventory;
pub mod readme;

pub use context::one_line;
pub mod env;
pub mod escape;

use std::fmt;

use minijinja::context;

use crate::plan::Plan;
use crate::validate::Accepted;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// One CloudFormation template, `template.yaml`, and `budget.yaml` where the region has no
    /// `AWS::Budgets::Budget`.
    #[value(name = "cloudformation")]
    CloudFormation,
    /// One AWS SAM template, `template.yaml`, and `budget.yaml` as for CloudFormation.
    Sam,
    /// A Terraform root module: `versions.tf`, `providers.tf`, `variables.tf`, one file per
    /// component, `outputs.tf`.
    Terraform,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::CloudFormation, Target::Sam, Target::Terraform];

    pub fn name(self) -> &'static str {
        match self {
            Target::CloudFormation => "cloudformation",
            Target::Sam => "sam",
            Target::Terraform => "terraform",
        }
    }

    /// Output file → template that renders it, for `plan`: a component's file only when the
    /// blueprint has that component.
    fn files(self, plan: &Plan) -> Vec<(String, &'static str)> {
        let own_budget_template = context::budget(plan).is_some_and(|b| b.own_template);
        let budget_template = own_budget_template
            .then_some(("budget.yaml", "cloudformation/budget-template.yaml.j2"));
        // A template needs at least one resource: a blueprint whose only resource is a budget in
        // a template of its own has no main template.
        let main = plan.network.is_some()
            || !plan.components.is_empty()
            || (plan.budget.is_some() && !own_budget_template);
        match self {
            Target::CloudFormation => main
                .then_some(("template.yaml", "cloudformation/template.yaml.j2"))
                .into_iter()
                .chain(budget_template)
                .map(|(p, t)| (p.to_string(), t))
                .collect(),
            Target::Sam => main
                .then_some(("template.yaml", "sam/template.yaml.j2"))
                .into_iter()
                .chain(main.then_some(("samconfig.toml", "sam/samconfig.toml.j2")))
                .chain(budget_template)
                .map(|(p, t)| (p.to_string(), t))
                .collect(),
            Target::Terraform => {
                let mut files: Vec<(String, &'static str)> = vec![
                    ("versions.tf".into(), "terraform/versions.tf.j2"),
                    ("providers.tf".into(), "terraform/providers.tf.j2"),
                    ("variables.tf".into(), "terraform/variables.tf.j2"),
                ];
                if plan.network.is_some() {
                    files.push(("network.tf".into(), "terraform/network.tf.j2"));
                }
                if plan.budget.is_some() {
                    files.push(("budget.tf".into(), "terraform/budget.tf.j2"));
                }
                for c in &plan.components {
                    files.push((format!("{}.tf", c.name), "terraform/component.tf.j2"));
                }
                if plan.network.is_some() || !plan.components.is_empty() {
                    files.push(("outputs.tf".into(), "terraform/outputs.tf.j2"));
                }
                files
            }
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One generated file: its path relative to the output directory, and its body (the header is
/// added by [`crate::write`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub body: String,
    /// A scaffold (a function's handler): written once when missing, then the user's, never
    /// overwritten, never stale, and written without a header.
    pub scaffold: bool,
}

/// The handler of every function, from the embedded scaffolds, and (Terraform) the build step
/// that packages them.
fn scaffolds(plan: &Plan, target: Target) -> impl Iterator<Item = RenderedFile> + '_ {
    let build = (target == Target::Terraform
        && plan
            .components
            .iter()
            .any(|c| matches!(c.plan, crate::plan::ComponentPlan::Function(_))))
    .then(|| RenderedFile {
        path: "build.sh".into(),
        body: crate::blueprint::scaffold("build.sh")
            .unwrap_or_default()
            .to_string(),
        scaffold: false,
    });
    plan.components
        .iter()
        .enumerate()
        .filter_map(move |(i, c)| {
            let crate::plan::ComponentPlan::Function(f) = &c.plan else {
                return None;
            };
            let info = f.runtime.info();
            let kind = crate::components::function::scaffold_kind(plan, i);
            let source = format!("function/{}/{kind}/{}", info.scaffold_dir, info.file);
            Some(RenderedFile {
                path: format!("src/{}/{}", c.name, info.file),
                body: crate::blueprint::scaffold(&source)?.to_string(),
                scaffold: true,
            })
        })
        .chain(build)
        .chain(job_scripts(plan))
}

/// The script of every Glue job of every lake, from the embedded scaffold.
fn job_scripts(plan: &Plan) -> impl Iterator<Item = RenderedFile> + '_ {
    plan.components.iter().flat_map(|c| {
        let jobs = match &c.plan {
            crate::plan::ComponentPlan::DataLake(l) => l.jobs.as_slice(),
            _ => &[],
        };
        jobs.iter().map(move |j| RenderedFile {
            path: format!("glue/{}/{}.py", c.name, j.name),
            body: crate::blueprint::scaffold("glue/job.py")
                .unwrap_or_default()
                .to_string(),
            scaffold: true,
        })
    })
}

/// A template failed: a bug in cloudwright, never the user's input.
#[derive(Debug)]
pub struct RenderError(minijinja::Error);

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        RenderError(e)
    }
}

impl std::error::Error for RenderError {}

/// The error and every error that caused it (an include's failure names the template it was
/// in, its cause the line that failed).
impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "internal template error: {:#}", self.0)?;
        let mut cause = std::error::Error::source(&self.0);
        while let Some(e) = cause {
            match e.downcast_ref::<minijinja::Error>() {
                Some(m) => write!(f, "\ncaused by: {m:#}")?,
                None => write!(f, "\ncaused by: {e}")?,
            }
            cause = e.source();
        }
        Ok(())
    }
}

/// Renders every file of `target` for `plan`; `accepted` are the findings the blueprint
/// suppressed, which the output carries in checkov's and cfn-lint's own syntax.
pub fn render(
    plan: &Plan,
    accepted: &[Accepted],
    target: Target,
) -> Result<Vec<RenderedFile>, RenderError> {
    let env = env::environment()?;
    let network = context::network(plan);
    let ctx = context! {
        blueprint => context::blueprint(plan),
        network => minijinja::Value::from_serialize(&network),
        budget => context::budget(plan),
        accepted => context::accepted(plan, accepted),
    };
    let components = components::components(plan, accepted);
    // Converted to template values once: every file of a blueprint reads the same views.
    let outputs: Vec<&components::Output> = components.iter().flat_map(|c| &c.outputs).collect();
    let shared = context! {
        components => minijinja::Value::from_serialize(&components),
        component_outputs => minijinja::Value::from_serialize(&outputs),
        ..ctx
    };
    let mut component = components.iter();
    target
        .files(plan)
        .into_iter()
        .map(|(path, template)| {
            // A component's own file sees that component as `c`.
            let body = if template == "terraform/component.tf.j2" {
                let c = component.next();
                env.get_template(template)?
                    .render(context! { c => c, ..shared.clone() })?
            } else {
                env.get_template(template)?.render(&shared)?
            };
            Ok(RenderedFile {
                path,
                body,
                scaffold: false,
            })
        })
        .chain(scaffolds(plan, target).map(Ok))
        .collect::<Result<Vec<_>, RenderError>>()
        .and_then(|mut files| {
            let inventory = inventory::of_views(plan, network.as_ref(), &components);
            let view = readme::readme(plan, accepted, target, &files, &inventory);
            let body = env
                .get_template("readme.md.j2")?
                .render(context! { r => minijinja::Value::from_serialize(&view) })?;
            files.push(RenderedFile {
                path: readme::FILE.into(),
                body,
                scaffold: false,
            });
            Ok(files)
        })
}
