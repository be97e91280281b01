//! Rendering a plan into files, in memory: no disk access here (see [`crate::write`]).

mod context;
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
    fn files(self, plan: &Plan) -> Vec<(&'static str, &'static str)> {
        let own_budget_template = context::budget(plan).is_some_and(|b| b.own_template);
        let budget_template = own_budget_template
            .then_some(("budget.yaml", "cloudformation/budget-template.yaml.j2"));
        // A template needs at least one resource: a blueprint whose only resource is a budget in
        // a template of its own has no main template.
        let main = plan.network.is_some() || (plan.budget.is_some() && !own_budget_template);
        match self {
            Target::CloudFormation => main
                .then_some(("template.yaml", "cloudformation/template.yaml.j2"))
                .into_iter()
                .chain(budget_template)
                .collect(),
            Target::Sam => main
                .then_some(("template.yaml", "sam/template.yaml.j2"))
                .into_iter()
                .chain(budget_template)
                .collect(),
            Target::Terraform => {
                let mut files = vec![
                    ("versions.tf", "terraform/versions.tf.j2"),
                    ("providers.tf", "terraform/providers.tf.j2"),
                    ("variables.tf", "terraform/variables.tf.j2"),
                ];
                if plan.network.is_some() {
                    files.push(("network.tf", "terraform/network.tf.j2"));
                }
                if plan.budget.is_some() {
                    files.push(("budget.tf", "terraform/budget.tf.j2"));
                }
                if plan.network.is_some() {
                    files.push(("outputs.tf", "terraform/outputs.tf.j2"));
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
}

/// A template failed: a bug in cloudwright, never the user's input.
#[derive(Debug, thiserror::Error)]
#[error("internal template error: {0:#}")]
pub struct RenderError(#[from] minijinja::Error);

/// Renders every file of `target` for `plan`; `accepted` are the findings the blueprint
/// suppressed, which the output carries in checkov's and cfn-lint's own syntax.
pub fn render(
    plan: &Plan,
    accepted: &[Accepted],
    target: Target,
) -> Result<Vec<RenderedFile>, RenderError> {
    let env = env::environment()?;
    let ctx = context! {
        blueprint => context::blueprint(plan),
        network => context::network(plan),
        budget => context::budget(plan),
        accepted => context::accepted(plan, accepted),
    };
    target
        .files(plan)
        .into_iter()
        .map(|(path, template)| {
            let body = env.get_template(template)?.render(&ctx)?;
            Ok(RenderedFile {
                path: path.to_string(),
                body,
            })
        })
        .collect()
}
