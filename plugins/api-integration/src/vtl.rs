//! The method's mapping templates, in API Gateway's Velocity Template Language (VTL).
//!
//! The request template is the body of an `Fn::Sub`, which would read any `${…}` in it as a
//! variable, so VTL references are written `$name` only and the one `${…}` is the state
//! machine's ARN.
//!
//! Escaping: `$util.escapeJavaScript` escapes `'` as `\'`, which JSON does not allow, so each
//! use is followed by `.replaceAll("\\'", "'")` (a regex matching a backslash and a quote).
//! Because that pair escapes character by character, escaping a whole string equals escaping
//! its pieces one by one. The request template relies on it: rather than build the input
//! JSON in a variable and escape it once, which needs VTL string concatenation and a
//! `#set` that silently keeps the old value when the new one is null, it writes the input's
//! fixed parts already escaped (here, in Rust) and escapes each request value twice, once as
//! a string inside the input and once as part of the input string.

use crate::routes::{RequestParameter, Source};

/// The `.replaceAll` that turns escapeJavaScript's `\'` back into a plain `'`.
const UNQUOTE: &str = r#".replaceAll("\\'", "'")"#;

/// The 200 response: `StartSyncExecution` answers 200 whatever became of the execution, so
/// the execution's status picks the response. SUCCEEDED gives the execution's output, which
/// is JSON text already; TIMED_OUT gives 504 and anything else (FAILED) 500, each with the
/// execution's `error` and `cause` as a JSON object.
pub const RESULT_TEMPLATE: &str = r#"## The execution's status picks the response: its output, or its error with 500 or 504.
#set($status = $input.path('$.status'))
#if($status == 'SUCCEEDED')
$!input.path('$.output')
#else
#if($status == 'TIMED_OUT')
#set($context.responseOverride.status = 504)
#else
#set($context.responseOverride.status = 500)
#end
{"error": "$!util.escapeJavaScript($input.path('$.error')).replaceAll("\\'", "'")", "cause": "$!util.escapeJavaScript($input.path('$.cause')).replaceAll("\\'", "'")"}
#end
"#;

/// The 4xx and 5xx responses: Step Functions refused the request (such as access denied or
/// throttling); pass its error type and message on as a JSON object of the same shape.
pub const SERVICE_ERROR_TEMPLATE: &str = r#"## Step Functions refused the request: pass its error on.
{"error": "$!util.escapeJavaScript($input.path('$.__type')).replaceAll("\\'", "'")", "cause": "$!util.escapeJavaScript($input.path('$.message')).replaceAll("\\'", "'")"}
"#;

/// The request template: `{"input": "<the input as a JSON string>", "stateMachineArn":
/// "${StateMachineArn}"}`, the input holding each parameter under its name (JSON `null` when
/// an optional one is missing) and, when `body` is set, the request's JSON body as `body`.
///
/// Parameter names are letters, digits, `.`, `_` and `-` (checked before this is called),
/// so they need no escaping in VTL string literals or in JSON.
pub fn request_template(parameters: &[RequestParameter], body: bool) -> String {
    let mut out = String::from(
        "## The execution input is JSON inside a JSON string: each request value is escaped \
         twice.\n",
    );
    for (source, variable) in [
        (Source::Path, "$p = $input.params().path"),
        (Source::QueryString, "$q = $input.params().querystring"),
        (Source::Header, "$h = $input.params().header"),
    ] {
        if parameters.iter().any(|p| p.source == source) {
            out.push_str(&format!("#set({variable})\n"));
        }
    }
    // Each parameter gets a flag saying whether the request has it, tested with `#if`, and
    // its own value variable: `#set` keeps a variable's old value when the new one is null,
    // so a shared variable could carry one parameter's value into the next, and testing the
    // value itself would hinge on how null reads in a condition.
    for (index, parameter) in parameters.iter().enumerate() {
        let name = &parameter.name;
        match parameter.source {
            Source::Path | Source::QueryString => {
                let map = if parameter.source == Source::Path {
                    "$p"
                } else {
                    "$q"
                };
                out.push_str(&format!(
                    "#set($f{index} = {map}.containsKey('{name}'))\n\
                     #set($v{index} = {map}.get('{name}'))\n"
                ));
            }
            // Clients send header names in any case; HTTP says they are the same header. Both
            // variables exist before the loop, so setting them inside it updates them in every
            // engine rather than creating loop-local ones.
            Source::Header => out.push_str(&format!(
                "#set($f{index} = false)\n\
                 #set($v{index} = '')\n\
                 #foreach($k in $h.keySet())#if($k.equalsIgnoreCase('{name}'))\
                 #set($v{index} = $h.get($k))#set($f{index} = true)#end#end\n"
            )),
        }
    }

    let mut fields: Vec<String> = parameters
        .iter()
        .enumerate()
        .map(|(index, parameter)| {
            let twice = format!(
                "$util.escapeJavaScript($util.escapeJavaScript($v{index}){UNQUOTE}){UNQUOTE}"
            );
            format!(
                "\\\"{}\\\": #if($f{index})\\\"{twice}\\\"#{{else}}null#end",
                parameter.name
            )
        })
        .collect();
    if body {
        fields.push(format!(
            "\\\"body\\\": $util.escapeJavaScript($input.json('$')){UNQUOTE}"
        ));
    }
    // The whole input stays on one line: a line break inside it would end up in a JSON
    // string, where raw line breaks are not allowed.
    out.push_str(&format!(
        "{{\"input\": \"{{{}}}\", \"stateMachineArn\": \"${{StateMachineArn}}\"}}\n",
        fields.join(", ")
    ));
    out
}
