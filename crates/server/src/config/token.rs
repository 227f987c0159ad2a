//! `[token]`: the tokens signed for customers.

use synerise_auth_issuing::KidSetting;
use synerise_auth_token::TokenTtl;

use super::declare::declare_layer;

declare_layer! {
    /// `[token]`: the tokens signed for customers.
    pub struct TokenLayer in "token" {
        #[serde(serialize_with = "super::values::ttl_secs")]
        ttl: TokenTtl, default "`7d`",
            "token lifetime, 1 minute to 30 days";
        kid: KidSetting, default "`none`",
            "`kid` header: `none`, `thumbprint`, or a fixed string; the thumbprint whenever the key set holds more than one key";
        allow_client_uuid: bool, default "`false`",
            "for signed-in customers, use a valid `uuid` the browser sends (e.g. the tracker's anonymous one, to merge profiles) instead of the derived one";
    }
}
