//! Asks Lake whether a PAT JWT is accepted: `GET {control-plane}/api/accounts/{env_id}` with it.

use crate::credential::Validation;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{is_empty_or_json, Endpoint, HttpClient};

/// 2xx: accepted. 4xx: rejected (an error; nothing should be stored). No answer or a server
/// failure: not validated, with the reason, so the caller can store and say so.
pub async fn validate(http: &HttpClient, url: &str, jwt: &str) -> Result<(Validation, Option<Error>)> {
    match http.get(Endpoint::LakeValidation, url, Some(jwt)).await {
        // A login page from a proxy or portal, or broken JSON, is not Lake accepting the token.
        Ok(response) if response.status().is_success() && !is_empty_or_json(response.body()) => Ok((
            Validation::NotValidated,
            Some(Error::new(ErrorCode::Server, format!("The {} answered HTTP {} with an HTML page or broken JSON, not Lake's answer.", Endpoint::LakeValidation, response.status().as_u16()))),
        )),
        Ok(response) if response.status().is_success() => Ok((Validation::Accepted, None)),
        Ok(response) if response.status().is_client_error() => Err(Error::new(
            ErrorCode::Rejected,
            format!("Lake rejected the token (HTTP {}): the PAT, the key or the user name is not accepted.", response.status().as_u16()),
        )
        .with_hint("Check that the PAT belongs to this key (the one uploaded to the Lake Console) and that --username is the database user, in the right letter case.")),
        Ok(response) => Ok((
            Validation::NotValidated,
            Some(Error::new(ErrorCode::Server, format!("The {} answered HTTP {}.", Endpoint::LakeValidation, response.status().as_u16()))),
        )),
        Err(e) if matches!(e.code(), ErrorCode::Network | ErrorCode::Server) => Ok((Validation::NotValidated, Some(e))),
        Err(e) => Err(e),
    }
}
