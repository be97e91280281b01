//! What the API templates read.

use std::fmt::Write as _;

use serde::Serialize;

pub use crate::components::Alarm;
use sha2::{Digest, Sha256};

use super::{ApiType, Auth, Mfa, Plan as ApiPlan};
use crate::components::Access;
use crate::expr::{Doc, Expr, Part};
use crate::plan::{Plan, Planned};

/// A REST API resource: one path segment under its parent.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub id: String,
    pub key: String,
    /// `/users/{userId}`.
    pub path: String,
    pub path_part: String,
    /// The parent's logical ID and key; none for a child of the root.
    pub parent_id: Option<String>,
    pub parent_key: Option<String>,
    /// The methods the CORS preflight allows, as API Gateway takes a header value:
    /// `'GET,POST,OPTIONS'`.
    pub cors_methods: String,
}

/// One route.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub id: String,
    pub key: String,
    pub method: &'static str,
    pub path: String,
    /// `GET /users`.
    pub route_key: String,
    /// The resource it hangs on (REST); none for the root.
    pub resource_id: Option<String>,
    pub resource_key: Option<String>,
    pub function: String,
    pub function_arn: Expr,
    pub function_id: String,
    pub function_key: String,
    /// The body model's logical ID and key, when the route validates its body.
    pub model_id: Option<String>,
    pub model_key: Option<String>,
    /// checkov checks that do not apply to the route's method (Terraform).
    pub skips: Vec<Skip>,
}

pub use crate::components::Skip;

/// A response API Gateway gives itself (`DEFAULT_4XX`).
#[derive(Debug, Clone, Serialize)]
pub struct GatewayResponse {
    pub id: String,
    /// `default_4xx`: the Terraform name's part.
    pub key: String,
    pub kind: &'static str,
}

/// A JSON schema model of a request body.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub id: String,
    pub key: String,
    pub name: String,
    pub schema: Doc,
    pub schema_json: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserPool {
    pub name: Expr,
    pub client_name: Expr,
    pub mfa: &'static str,
    pub retain: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub rest: bool,
    pub name: Expr,
    pub description: String,
    pub comment: Vec<String>,
    pub stage: String,
    /// `cognito`, `iam` or `none`.
    pub auth: &'static str,
    pub resources: Vec<Resource>,
    pub routes: Vec<Route>,
    pub models: Vec<Model>,
    /// The one origin a REST API's CORS answers allow, as a header value: `'https://…'`.
    pub cors_origin: Option<String>,
    pub cors_origins: Vec<String>,
    /// The errors API Gateway answers itself, which carry the CORS origin too (REST).
    pub gateway_responses: Vec<GatewayResponse>,
    /// The request headers a browser may send: SigV4's own with `auth: iam`.
    pub cors_headers: Vec<&'static str>,
    /// The same, as REST's quoted header value: `'Authorization,Content-Type'`.
    pub cors_headers_value: String,
    pub throttle_rate: u32,
    pub throttle_burst: u32,
    pub logs: crate::components::logs::LogGroup,
    pub access_log_format: String,
    /// The digest of the API's definition, and the deployment's logical ID that ends in it, so
    /// that a change of routes makes a new deployment (REST).
    pub deployment_digest: String,
    pub deployment_id: String,
    /// `definition sha256:<digest>`.
    pub deployment_description: String,
    pub user_pool: Option<UserPool>,
    pub alarm: Option<Alarm>,
    pub url: Expr,
    /// checkov checks that do not apply to the stage and its settings (Terraform).
    pub stage_skips: Vec<Skip>,
    pub settings_skips: Vec<Skip>,
}

const NO_CACHE: &str = "responses depend on the caller and change with every write: a stage cache would serve one caller's data to another";

fn stage_skips(auth: Auth) -> Vec<Skip> {
    vec![
        Skip {
            id: "CKV_AWS_120",
            reason: NO_CACHE.into(),
        },
        Skip {
            id: "CKV2_AWS_4",
            reason: "execution logging stays off on purpose: API Gateway writes it to a log group of its own, unencrypted and never expiring; the stage's JSON access logs go to an encrypted group with a retention".into(),
        },
        Skip {
            id: "CKV2_AWS_51",
            reason: match auth {
                Auth::Cognito => "callers are people signed in with the user pool; mutual TLS is for machine clients and needs a custom domain with a trust store",
                Auth::Iam => "callers sign every request with IAM credentials (SigV4); mutual TLS is for clients without them and needs a custom domain with a trust store",
                Auth::None => "an open API has no known clients to issue certificates to",
            }
            .into(),
        },
        Skip {
            id: "CKV2_AWS_29",
            reason: "the blueprint attaches no web ACL: the stage's throttling limits request floods; attach AWS WAF managed rules in the account's edge setup where the API faces the internet".into(),
        },
    ]
}

const REST_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","caller":"$context.identity.caller","user":"$context.identity.user","sub":"$context.authorizer.claims.sub","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationStatus":"$context.integration.status","integrationLatency":"$context.integration.latency","errorMessage":"$context.error.message","xrayTraceId":"$context.xrayTraceId"}"#;
const HTTP_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","caller":"$context.identity.caller","sub":"$context.authorizer.claims.sub","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency","integrationStatus":"$context.integrationStatus","integrationLatency":"$context.integrationLatency","errorMessage":"$context.error.message"}"#;

/// A JSON schema from the blueprint, as a document.
fn schema_doc(v: &serde_yaml::Value) -> Doc {
    match v {
        serde_yaml::Value::Mapping(m) => Doc::Map(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        serde_yaml::Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, schema_doc(v))
                })
                .collect(),
        ),
        serde_yaml::Value::Sequence(s) => Doc::List(s.iter().map(schema_doc).collect()),
        serde_yaml::Value::Bool(b) => Doc::Bool(*b),
        serde_yaml::Value::Number(n) => match n.as_i64() {
            Some(i) => Doc::Int(i),
            None => Doc::str(n.to_string()),
        },
        serde_yaml::Value::String(s) => Doc::str(s.clone()),
        serde_yaml::Value::Null => Doc::str(""),
        serde_yaml::Value::Tagged(t) => schema_doc(&t.value),
    }
}

fn schema_json(v: &serde_yaml::Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".to_string())
}

pub fn view(
    c: &Planned,
    a: &ApiPlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let ids = &c.ids;
    let rest = a.api_type == ApiType::Rest;
    let function = |name: &str| plan.components.iter().find(|p| p.name == name);

    // REST resources: every path prefix, parents first, in the order routes name them.
    let mut resources: Vec<Resource> = Vec::new();
    for (route, _) in &a.routes {
        let mut path = String::new();
        let mut parent: Option<(String, String)> = None;
        for seg in route.path.split('/').filter(|s| !s.is_empty()) {
            path.push('/');
            path.push_str(seg);
            let kebab = path_key(&path);
            if !resources.iter().any(|r| r.path == path) {
                resources.push(Resource {
                    id: ids.id(&format!("Resource{}", crate::naming::pascal_case(&kebab))),
                    key: kebab.replace('-', "_"),
                    path: path.clone(),
                    path_part: seg.to_string(),
                    parent_id: parent.as_ref().map(|p| p.0.clone()),
                    parent_key: parent.as_ref().map(|p| p.1.clone()),
                    cors_methods: String::new(),
                });
            }
            let r = resources
                .iter()
                .find(|r| r.path == path)
                .expect("just added");
            parent = Some((r.id.clone(), r.key.clone()));
        }
    }
    for r in &mut resources {
        let mut methods: Vec<&str> = a
            .routes
            .iter()
            .filter(|(k, _)| k.path == r.path)
            .map(|(k, _)| k.method.as_str())
            .collect();
        methods.push("OPTIONS");
        r.cors_methods = format!("'{}'", methods.join(","));
    }
    let mut models: Vec<Model> = Vec::new();
    let routes: Vec<Route> = a
        .routes
        .iter()
        .filter_map(|(k, r)| {
            let f = function(&r.function)?;
            let key = crate::iam::route_key(k).replace('-', "_");
            let resource = resources.iter().find(|res| res.path == k.path);
            let model = r.body.as_ref().map(|body| {
                let name = format!("{}Body", crate::naming::pascal_case(&crate::iam::route_key(k)));
                if !models.iter().any(|m| m.name == name) {
                    models.push(Model {
                        id: ids.id(&format!("Model{name}")),
                        key: key.clone(),
                        name: name.clone(),
                        schema: schema_doc(body),
                        schema_json: schema_json(body),
                    });
                }
                (ids.id(&format!("Model{name}")), key.clone())
            });
            let skips = if model.is_some() {
                Vec::new()
            } else {
                vec![Skip {
                    id: "CKV2_AWS_53",
                    reason: if k.method.has_body() {
                        "the blueprint gives no body schema for this route: the function validates the body itself and answers 400".into()
                    } else {
                        format!("{} requests carry no body to validate; the function checks the path and query", k.method.as_str())
                    },
                }]
            };
            Some(Route {
                skips,
                id: ids.id(&format!("Method{}", crate::naming::pascal_case(&crate::iam::route_key(k)))),
                key,
                method: k.method.as_str(),
                path: k.path.clone(),
                route_key: k.to_string(),
                resource_id: resource.map(|r| r.id.clone()),
                resource_key: resource.map(|r| r.key.clone()),
                function: f.name.clone(),
                function_arn: f.ids.res("Function", Some("Arn"), "aws_lambda_function", "arn"),
                function_id: f.ids.id("Function"),
                function_key: f.ids.snake.clone(),
                model_id: model.as_ref().map(|m| m.0.clone()),
                model_key: model.map(|m| m.1),
            })
        })
        .collect();

    let mut definition = String::new();
    let _ = write!(definition, "{:?}|{:?}|{:?}", a.api_type, a.auth, a.cors);
    for r in &routes {
        let _ = write!(
            definition,
            "|{} {} {}",
            r.route_key,
            r.function,
            r.model_id.as_deref().unwrap_or("")
        );
    }
    for m in &models {
        let _ = write!(definition, "|{}={}", m.name, m.schema_json);
    }
    let digest: String = Sha256::digest(definition.as_bytes())
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect();

    let alarm = plan
        .connections
        .iter()
        .find(|k| k.from == index && k.access == Access::Alarms)
        .map(|k| Alarm {
            name: crate::components::topic::view::alarm_name(ids, "5xx"),
            description: format!(
                "API {}, stage {}: at least one 5XX response in 5 minutes",
                c.name, a.stage
            ),
            topic: plan.components[k.to]
                .ids
                .res("Topic", None, "aws_sns_topic", "arn"),
        });
    let url = url(c, a);
    let mut comment = vec![format!(
        "API {}: {} API, stage {}, {}.",
        c.name,
        if rest { "REST" } else { "HTTP" },
        a.stage,
        match a.auth {
            Auth::Cognito => "callers sign in with the Cognito user pool below",
            Auth::Iam => "callers sign requests with IAM credentials allowed execute-api:Invoke",
            Auth::None => "open to anyone",
        }
    )];
    comment.push(format!(
        "Throttled at {} requests a second (bursts of {}); JSON access logs{}.",
        a.throttling.rate,
        a.throttling.burst,
        if rest {
            "; X-Ray tracing"
        } else {
            " (HTTP APIs have no X-Ray tracing)"
        }
    ));
    View {
        rest,
        name: Expr(vec![Part::Stack, Part::Lit(format!("-{}", c.name))]),
        description: format!("API {} of {}", c.name, plan.name),
        comment,
        stage: a.stage.clone(),
        auth: match a.auth {
            Auth::Cognito => "cognito",
            Auth::Iam => "iam",
            Auth::None => "none",
        },
        resources,
        routes,
        models,
        cors_headers_value: format!(
            "'{}'",
            cors_headers(a.auth)
                .iter()
                .map(|h| title_case(h))
                .collect::<Vec<_>>()
                .join(",")
        ),
        cors_headers: cors_headers(a.auth),
        cors_origin: a
            .cors
            .as_ref()
            .and_then(|o| o.first())
            .map(|o| format!("'{o}'")),
        gateway_responses: if a.cors.is_some() {
            [("DEFAULT_4XX", "Default4xx"), ("DEFAULT_5XX", "Default5xx")]
                .into_iter()
                .map(|(kind, id)| GatewayResponse {
                    id: ids.id(id),
                    key: kind.to_ascii_lowercase(),
                    kind,
                })
                .collect()
        } else {
            Vec::new()
        },
        cors_origins: a.cors.clone().unwrap_or_default(),
        throttle_rate: a.throttling.rate,
        throttle_burst: a.throttling.burst,
        logs: crate::components::logs::log_group(
            "apigateway",
            &format!("{}-{}", c.name, a.stage),
            a.log_retention_days,
            a.retain,
            format!("access logs of API {}, stage {}", c.name, a.stage),
            plan.environment,
            accepted,
        ),
        access_log_format: if rest {
            REST_LOG_FORMAT
        } else {
            HTTP_LOG_FORMAT
        }
        .to_string(),
        deployment_id: ids.id(&format!("Deployment{digest}")),
        deployment_description: format!("definition sha256:{digest}"),
        deployment_digest: digest,
        user_pool: (a.auth == Auth::Cognito).then(|| UserPool {
            name: Expr(vec![Part::Stack, Part::Lit(format!("-{}-users", c.name))]),
            client_name: Expr(vec![Part::Stack, Part::Lit(format!("-{}-web", c.name))]),
            mfa: match a.mfa {
                Mfa::Off => "OFF",
                Mfa::Optional => "OPTIONAL",
                Mfa::Required => "ON",
            },
            retain: a.retain,
        }),
        alarm,
        url,
        stage_skips: stage_skips(a.auth),
        settings_skips: vec![Skip {
            id: "CKV_AWS_225",
            reason: NO_CACHE.into(),
        }],
    }
}

/// The headers a browser's request may carry: a signed (SigV4) request adds its own.
fn cors_headers(auth: Auth) -> Vec<&'static str> {
    let mut headers = vec!["authorization", "content-type"];
    if auth == Auth::Iam {
        headers.extend(["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]);
    }
    headers
}

/// `x-amz-date` → `X-Amz-Date`.
fn title_case(header: &str) -> String {
    header
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The base URL of the API's stage.
pub fn url(c: &Planned, a: &ApiPlan) -> Expr {
    Expr(vec![
        Part::Lit("https://".into()),
        Part::Res {
            cfn: c.ids.id("Api"),
            attr: None,
            tf: format!("{}.id", c.ids.tf(crate::iam::api_tf_type(a))),
        },
        Part::Lit(".execute-api.".into()),
        Part::Region,
        Part::Lit(".".into()),
        Part::DnsSuffix,
        Part::Lit(format!("/{}", a.stage)),
    ])
}

/// `/users/{userId}` → `users-userid`.
fn path_key(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_matches(|c| c == '{' || c == '}')
                .to_ascii_lowercase()
                .replace(['_', '.'], "-")
        })
        .collect::<Vec<_>>()
        .join("-")
}
