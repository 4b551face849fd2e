//! The notes' webhook test vectors (docs/providers/maya-checkout.md §9), byte for byte.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses some of them"
)]

/// V1: body as sent.
pub const V1_BODY: &str =
    r#"{"id":"pay_test","status":"PAYMENT_SUCCESS","amount":100,"requestReferenceNumber":"42"}"#;
/// V1: the flattened string that is signed.
pub const V1_FLAT: &str =
    r#"amount=100&id=pay_test&requestReferenceNumber=42&status=PAYMENT_SUCCESS&nonce=nonce-value"#;
/// V1: the signature header.
pub const V1_SIGNATURE: &str = "nonce=nonce-value,v1=3afd2ec6799be51056bec99a76620751e24645d267966421e2112a5cf3dc0b87d02a01f1bfe38ee53e1345365d6fac4efa935a5feb5e01b7390cc4ba39ad2638dac0652a5df55b7e6e085580ca7fbad686d737a57e955341505b65075d234cc31b303b5cdb761571b4da0697b25938aede9c3e1a3ca304a7ed61cf7f35ec6d815017f85353278e2387267896e25f1f1a177e381bfe627abc1de361652abaef02051876fc5d52c024e9e6da9ca3f05a81b8af268b5a8a1315fbb91db0a2a7d2697d893a6778600dac78adfacbc37d3682af1466296fb0a8d9ee2ff3006273bcb21a6feb38c43cacbc67dea6791f1287ef538b66abf4fea27d7f03400d46fb8885";

/// V2: body as sent.
pub const V2_BODY: &str = r#"{"id":"7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c","isPaid":true,"status":"PAYMENT_SUCCESS","amount":"249.50","currency":"PHP","canVoid":true,"canRefund":false,"canCapture":false,"createdAt":"2025-03-01T04:10:11.217Z","updatedAt":"2025-03-01T04:11:02.571Z","description":"Charge for order 10042 & gift wrap","paymentTokenId":"","requestReferenceNumber":"order-10042","fundSource":{"type":"card","id":"Qm9ndXNGdW5kU291cmNlSWQ","description":"**** **** **** 1522","details":{"scheme":"visa","last4":"1522","first6":"412345","masked":"412345******1522","issuer":"Others","email":null}},"receipt":{"transactionId":"356707e4-7313-44de-b99e-7f1d154d8100","receiptNo":"a1b2c3d4e5f6","approval_code":"00001234","approvalCode":"00001234"},"approvalCode":"00001234","receiptNumber":"a1b2c3d4e5f6","metadata":{"pf":{},"tags":["web","promo"],"note":null},"items":[]}"#;
/// V2: the flattened string that is signed.
pub const V2_FLAT: &str = r#"amount=249.50&approvalCode=00001234&canCapture=false&canRefund=false&canVoid=true&createdAt=2025-03-01T04:10:11.217Z&currency=PHP&description=Charge for order 10042 & gift wrap&fundSource.description=**** **** **** 1522&fundSource.details.first6=412345&fundSource.details.issuer=Others&fundSource.details.last4=1522&fundSource.details.masked=412345******1522&fundSource.details.scheme=visa&fundSource.id=Qm9ndXNGdW5kU291cmNlSWQ&fundSource.type=card&id=7ea1f6ef-035c-4fcd-85e0-037c8d9d4a2c&isPaid=true&metadata.tags.0=web&metadata.tags.1=promo&receipt.approvalCode=00001234&receipt.approval_code=00001234&receipt.receiptNo=a1b2c3d4e5f6&receipt.transactionId=356707e4-7313-44de-b99e-7f1d154d8100&receiptNumber=a1b2c3d4e5f6&requestReferenceNumber=order-10042&status=PAYMENT_SUCCESS&updatedAt=2025-03-01T04:11:02.571Z&nonce=ebda1e3fb8813e9c491775f0d25365bc"#;
/// V2: the signature header.
pub const V2_SIGNATURE: &str = "nonce=ebda1e3fb8813e9c491775f0d25365bc,v1=88936b0a733f3c13b11b98c3591ca255d533d1e22ede44d4739fbeba7d0645434db55ae4c036cd0d8b15eb95ee592b82e59c76854a76b294e183975e01b1e55b76dbf9be860484e1cc384a836f45d39a21ae57c1541bf70680061126ccca6ece3a7c69f909b781b084249935af6d5a2d027df9196112ad8434b12280c895e7361313d079b9173cbfa58a5e35b592318394e8d457534526ec351bc86ce0508910941509e6437dce76c47b9f586073f248dd93f19cc83cb6c7f55e19deb35fecfb11d8059424b7f63d159d9dc6a0cd0ab2abb03c936bac8398267b5dc8c1de8fbbdfddbe5d04e723e4502887393f0ea4ead93105452eee70b6b0b9c26da6789540";

/// V3: body as sent.
pub const V3_BODY: &str = r#"{"id":"5b0c4e7a-0d55-4f3b-9b8e-2f1c3a4d5e6f","status":"AUTHORIZED","amount":249.5,"capturedAmount":0.0,"authorizationType":"NORMAL","currency":"PHP","canVoid":true,"canRefund":false,"canCapture":true,"requestReferenceNumber":"order-10043","items":[{"name":"Tumbler","quantity":1,"totalAmount":{"value":100.0}},{"name":"Lid","quantity":2,"totalAmount":{"value":149.5}}]}"#;
/// V3: the flattened string that is signed.
pub const V3_FLAT: &str = r#"amount=249.5&authorizationType=NORMAL&canCapture=true&canRefund=false&canVoid=true&capturedAmount=0&currency=PHP&id=5b0c4e7a-0d55-4f3b-9b8e-2f1c3a4d5e6f&items.0.name=Tumbler&items.0.quantity=1&items.0.totalAmount.value=100&items.1.name=Lid&items.1.quantity=2&items.1.totalAmount.value=149.5&requestReferenceNumber=order-10043&status=AUTHORIZED&nonce=0f1e2d3c4b5a69788796a5b4c3d2e1f0"#;
/// V3: the signature header.
pub const V3_SIGNATURE: &str = "nonce=0f1e2d3c4b5a69788796a5b4c3d2e1f0,v1=111daa876082e41cc4f3615bffdf54cd0542dc5657facaa3b4a500a2ed41ec3e6dd48ed6fa7ee52a1b75a6d837dafbce0f5a87ba60ef08708be08e8133a7fd46a1e6d56f08f62e222499c9aeffb89e520296b718ef49dcfa281506d44681348a4300c774663f283989dc40a1b74a4a5eff34ae693ed74e1b0af47c3a581bb001e9ab89841345ec03d8be8c51893c168442afc45807160607fb2b0cbf37a927bdc6295bb67f95c8f4f7be2d1873c737a9b1d92d8604f111c78b38f7da5328f3d673b9d50957bb969a78c921da84ac21eba28066da2d1204244f720816de2a7062debe339d509188a3f41f6f35102799c91648c545ac419d5e58353e2b7aa70179";
