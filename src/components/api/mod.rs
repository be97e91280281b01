//! `kind: api` — API Gateway: a REST API (the default) or an HTTP API, its routes bound to
//! functions, a stage per environment with access logs, throttling and tracing, CORS, request
//! validation, and authorization by Cognito or IAM.

pub mod rules;
pub mod view;

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::{Access, Kind, Wanted};
use crate::blueprint::types::{Environment, invalid_value};

/// REST (API Gateway v1) or HTTP (v2).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ApiType {
    #[default]
    Rest,
    Http,
}

/// Who may call the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// Anyone: for public content only.
    None,
    /// Signed-in users of a Cognito user pool the blueprint creates.
    Cognito,
    /// Callers with IAM credentials allowed `execute-api:Invoke` (SigV4).
    Iam,
}

/// Multi-factor authentication of the user pool.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Mfa {
    Off,
    /// Users may add a TOTP authenticator (the default).
    #[default]
    Optional,
    Required,
}

/// An HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    /// Whether requests carry a body that a schema can validate.
    pub fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

const METHODS: [Method; 6] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
    Method::Head,
];

/// `GET /users/{userId}`: a method and a path of literal segments and `{parameters}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteKey {
    pub method: Method,
    pub path: String,
}

impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.path)
    }
}

/// The most characters a path has (API Gateway's limit on a resource path is far longer; this
/// keeps the derived names and IDs within their limits).
const MAX_PATH: usize = 200;

fn parse_route(text: &str) -> Result<RouteKey, (String, String)> {
    let example = "write it as `GET /users` or `DELETE /users/{userId}`".to_string();
    let Some((method, path)) = text.split_once(' ') else {
        return Err((format!("`{text}` is not a route"), example));
    };
    let Some(method) = METHODS.iter().find(|m| m.as_str() == method).copied() else {
        return Err((
            format!("`{method}` is not an HTTP method cloudwright routes"),
            "use GET, POST, PUT, PATCH, DELETE or HEAD (CORS preflight OPTIONS is added for you)"
                .into(),
        ));
    };
    if !path.starts_with('/') || path.len() > MAX_PATH {
        return Err((
            format!("the path `{path}` must start with `/` and have at most {MAX_PATH} characters"),
            example,
        ));
    }
    let mut params = Vec::new();
    if path != "/" {
        for segment in path[1..].split('/') {
            let param = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
            let ok = match param {
                Some(p) => {
                    !p.is_empty()
                        && p.starts_with(|c: char| c.is_ascii_alphabetic())
                        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !params.contains(&p)
                }
                None => {
                    !segment.is_empty()
                        && segment
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                }
            };
            if !ok {
                return Err((
                    format!("`{segment}` in `{path}` is not a path segment"),
                    "use letters, digits, `-`, `_` and `.`, or a `{parameter}` named once, with no empty segment or trailing `/`".into(),
                ));
            }
            if let Some(p) = param {
                params.push(p);
            }
        }
    }
    Ok(RouteKey {
        method,
        path: path.to_string(),
    })
}

impl<'de> Deserialize<'de> for RouteKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_route(&text).map_err(|(problem, help)| invalid_value(&text, problem, help))
    }
}

crate::schema_as!(RouteKey, {
    "description": "A route: an HTTP method and a path, such as `GET /users` or `DELETE /users/{userId}` (CORS preflight OPTIONS is added for you).",
    "type": "string",
    "pattern": "^(GET|POST|PUT|PATCH|DELETE|HEAD) /",
});

/// A route's target: a function, optionally with a JSON schema its request body must match.
#[derive(Debug, Clone)]
pub struct Route {
    pub function: String,
    /// A JSON Schema (draft 4, as API Gateway models take it) for the request body.
    pub body: Option<serde_yaml::Value>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RouteSpec {
    /// The function the route calls (a `function` component).
    function: String,
    /// A JSON Schema (draft 4, as API Gateway models take it) the request body must match.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    body: Option<serde_yaml::Mapping>,
}

impl<'de> Deserialize<'de> for Route {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RouteVisitor;
        impl<'de> de::Visitor<'de> for RouteVisitor {
            type Value = Route;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a function's name, or `{ function: <name>, body: <JSON schema> }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Route, E> {
                Ok(Route {
                    function: v.to_string(),
                    body: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Route, A::Error> {
                let spec = RouteSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Route {
                    function: spec.function,
                    body: spec.body.map(serde_yaml::Value::Mapping),
                })
            }
        }
        deserializer.deserialize_any(RouteVisitor)
    }
}

crate::schema_as!(Route, |generator| schemars::json_schema!({
    "description": "The function a route calls: its name, or `{ function: <name>, body: <JSON Schema> }` to validate request bodies.",
    "anyOf": [{ "type": "string" }, RouteSpec::json_schema(generator)],
}));

/// Requests per second the stage accepts, and the burst above it.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Throttling {
    /// Requests per second, on average.
    pub rate: u32,
    /// Requests the stage accepts at once above the rate.
    pub burst: u32,
}

impl Default for Throttling {
    fn default() -> Self {
        Throttling {
            rate: 100,
            burst: 200,
        }
    }
}

/// Which browser origins may call the API.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// The origins browsers may call the API from.
    pub origins: Vec<Origin>,
}

crate::string_newtype!(
    /// A browser origin: `https://app.example.com` (scheme, host, optional port), or `*`.
    Origin,
    |v| {
        let host = v
            .strip_prefix("https://")
            .or_else(|| v.strip_prefix("http://"));
        let ok = v == "*"
            || host.is_some_and(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            });
        if ok {
            Ok(())
        } else {
            Err(invalid_value(
                v,
                format!("`{v}` is not a browser origin"),
                "write the scheme and host only, such as `https://app.example.com`, or `*`",
            ))
        }
    }
);

/// `kind: api`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default, rename = "type")]
    pub api_type: ApiType,
    pub auth: Auth,
    #[serde(default)]
    pub mfa: Mfa,
    /// The routes: `METHOD /path` to the function that answers it.
    pub routes: IndexMap<RouteKey, Route>,
    #[serde(default)]
    pub cors: Option<Cors>,
    #[serde(default)]
    pub throttling: Throttling,
    /// A topic that hears the API's 5XX alarm.
    #[serde(default)]
    pub alarms: Option<String>,
    #[serde(default)]
    pub access_log_retention_days: Option<crate::blueprint::types::RetentionDays>,
}

impl Spec {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        let mut out: Vec<Wanted> = self
            .routes
            .iter()
            .map(|(key, route)| Wanted {
                field: format!("{at}.routes.{key}"),
                name: route.function.clone(),
                part: None,
                expect: &[Kind::Function],
                access: Access::Invoke,
                what: "a route is bound to",
            })
            .collect();
        if let Some(t) = &self.alarms {
            out.push(Wanted::alarms(at, t));
        }
        out
    }

    pub fn plan(&self, env: Environment) -> Plan {
        Plan {
            api_type: self.api_type,
            auth: self.auth,
            mfa: self.mfa,
            stage: env.as_str().to_string(),
            routes: self
                .routes
                .iter()
                .map(|(k, r)| (k.clone(), r.clone()))
                .collect(),
            cors: self
                .cors
                .as_ref()
                .map(|c| c.origins.iter().map(ToString::to_string).collect()),
            throttling: self.throttling,
            log_retention_days: self.access_log_retention_days.map_or(
                if env == Environment::Production {
                    365
                } else {
                    30
                },
                |d| d.0,
            ),
            retain: env == Environment::Production,
        }
    }
}

/// An API, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub api_type: ApiType,
    pub auth: Auth,
    pub mfa: Mfa,
    /// The stage, named for the environment.
    pub stage: String,
    pub routes: Vec<(RouteKey, Route)>,
    pub cors: Option<Vec<String>>,
    pub throttling: Throttling,
    pub log_retention_days: u32,
    /// The user pool and the logs outlive the stack (production).
    pub retain: bool,
}

impl Spec {
    /// The checks that look at more than one field.
    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        if self.routes.is_empty() {
            problems.push(doc.error(
                &format!("{at}.routes"),
                "the API has no routes",
                "add at least one, for example `GET /items: items-fn`",
            ));
        }
        for (key, route) in &self.routes {
            if route.body.is_some() && !key.method.has_body() {
                problems.push(doc.error(
                    &format!("{at}.routes.{key}.body"),
                    format!("{} requests carry no body to validate", key.method.as_str()),
                    "give a body schema on POST, PUT or PATCH routes only",
                ));
            }
            if route.body.is_some() && self.api_type == ApiType::Http {
                problems.push(doc.error(
                    &format!("{at}.routes.{key}.body"),
                    "HTTP APIs do not validate request bodies",
                    "use `type: rest` for request validation, or validate in the function",
                ));
            }
        }
        if self.mfa != Mfa::default() && self.auth != Auth::Cognito {
            problems.push(doc.error(
                &format!("{at}.mfa"),
                "`mfa` applies to the Cognito user pool, and this API does not use one",
                "remove `mfa`, or use `auth: cognito`",
            ));
        }
        if self.throttling.rate == 0 || self.throttling.burst == 0 {
            problems.push(doc.error(
                &format!("{at}.throttling"),
                "a throttling rate or burst of 0 refuses every request",
                "give at least 1 request a second and a burst of at least 1",
            ));
        }
        problems
    }
}
