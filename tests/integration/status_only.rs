//! Status-only verdicts that need more than the status: an Azure 404 is a
//! missing deployment or a wrong URL by what its endpoint shows, and an OpenAI
//! 429 without a body carries, in every report format, the caution that an
//! exhausted quota answers 429 too.

use serde_json::{Value, json};

use super::util::*;

const NOTE: &str = "OpenAI also answers 429 when the quota is exhausted";

#[test]
fn a_bodiless_openai_429_carries_the_quota_note_in_every_format() {
    let dir = TempDir::new("status-only-429");
    let line = |i: u32, provider: &str| {
        json!({"ts": format!("2026-11-21T10:0{i}:00Z"), "status": 429, "provider": provider, "model": "gpt-4o"})
            .to_string()
    };
    let lines = [line(1, "openai"), line(2, "openai"), line(3, "openai"), line(4, "azure")];
    let path = dir.write("app.jsonl", lines.join("\n") + "\n");
    let path = path.to_str().unwrap();
    for format in ["text", "markdown", "html", "csv", "json"] {
        let out = ok_stdout(&errlens(&["analyze", "--format", format, path], None), 0);
        assert!(out.contains(NOTE), "{format}:\n{out}");
    }
    let report = analyze_json(&[path]);
    let cause = &report["causes"][0];
    assert_eq!(cause["category"], "rate_limit.unspecified");
    assert_eq!(cause["count"], 4);
    assert_eq!(cause["notes"][0]["count"], 3, "the Azure 429 has no quota reading");
    assert!(cause["evidence"].get("note").is_none(), "the note is not repeated as evidence");
    let text = ok_stdout(&errlens(&["analyze", path], None), 0);
    assert!(text.contains("(3 of 4 failures)"), "{text}");
    let azure_only = dir.write("azure.jsonl", line(5, "azure") + "\n");
    let report = analyze_json(&[azure_only.to_str().unwrap()]);
    assert!(report["causes"][0].get("notes").is_none());
}

/// `(line, category, deployment evidence)` of a file, read with `--input-format`.
fn classified(dir: &TempDir, format: &str, lines: &[Value]) -> Vec<(String, Option<String>)> {
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    let path = dir.write(&format!("{format}.jsonl"), text);
    let args = ["classify", "--input-format", format, path.to_str().unwrap()];
    let out = ok_stdout(&errlens(&args, None), 0);
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|r| {
            let deployment = r["evidence"]["deployment"].as_str().map(String::from);
            (r["category"].as_str().unwrap().to_string(), deployment)
        })
        .collect()
}

#[test]
fn a_bodiless_azure_404_reads_the_deployment_path() {
    let dir = TempDir::new("status-only-404");
    let rr = |operation: &str| {
        json!({"time": "2026-11-21T12:06:00.5000000Z", "resourceId": "/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/AOAI",
            "category": "RequestResponse", "operationName": operation, "resultSignature": "404", "durationMs": 5,
            "correlationId": "c1", "properties": {"modelDeploymentName": "gpt4o-prod"}})
    };
    let got = classified(
        &dir,
        "azure_request_response",
        &[rr("ChatCompletions_Create"), rr("Create_Thread")],
    );
    assert_eq!(got[0].0, "model.deployment_not_found");
    assert_eq!(got[1].0, "unclassified", "an operation that names no deployment tells nothing");
    let apim = |props: Value| {
        json!({"time": "2026-11-21T13:00:00Z", "resourceId": "/SUBSCRIPTIONS/X/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/APIM",
            "category": "GatewayLogs", "durationMs": 7, "correlationId": "c2", "properties": props})
    };
    let got = classified(
        &dir,
        "azure_apim_gateway",
        &[
            apim(json!({"responseCode": 404, "backendResponseCode": 404,
                "url": "https://contoso-apim.azure-api.net/openai/deployments/gpt-4o-eu/chat/completions?api-version=2024-10-21",
                "backendUrl": "https://contoso-aoai.openai.azure.com/openai/deployments/gpt-4o-eu/chat/completions?api-version=2024-10-21"})),
            apim(
                json!({"responseCode": 404, "url": "https://contoso-apim.azure-api.net/openai/chat/completions?api-version=2024-10-21"}),
            ),
        ],
    );
    assert_eq!(got[0], ("model.deployment_not_found".to_string(), Some("gpt-4o-eu".to_string())));
    assert_eq!(got[1].0, "request.invalid_url");
    let canonical = [
        json!({"status": 404, "provider": "azure", "endpoint": "/openai/deployments/gpt-4o/chat/completions"}),
        json!({"status": 404, "provider": "azure", "endpoint": "/chat/completions"}),
        json!({"status": 404, "provider": "azure"}),
        json!({"status": 404, "provider": "openai", "endpoint": "/v1/chat/completions"}),
    ];
    let got: Vec<String> =
        classified(&dir, "canonical", &canonical).into_iter().map(|g| g.0).collect();
    assert_eq!(
        got,
        ["model.deployment_not_found", "request.invalid_url", "unclassified", "unclassified"]
    );
}
