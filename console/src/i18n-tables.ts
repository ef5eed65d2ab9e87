// Every word the console shows, in zh-CN (the default) and English. The API's error codes, the
// decisions' reason codes and the statuses are keys here: the API's English sentence is shown
// only for a code this table does not know yet.

type Table = Record<string, string>;

const errors: Record<"zh" | "en", Table> = {
  zh: {
    unauthorized: "未登录或登录已失效", not_authenticated: "请先登录", invalid_token: "登录凭证无效，请重新登录",
    token_expired: "登录已过期，请重新登录", unknown_challenge: "登录消息未知，请重新获取", challenge_expired: "登录消息已过期，请重试",
    challenge_replayed: "该登录消息已使用过", invalid_signature: "签名无效", firm_not_active: "企业未处于正常状态",
    firm_not_registered: "企业尚未注册", forbidden: "无权执行此操作", not_found: "未找到", invalid_request: "请求内容有误", side_without_party: "按买卖方筛选时须指定企业",
    rate_limited: "请求过于频繁，请稍后再试", no_consent: "该企业尚未授权本银行", not_a_bank: "对方不是银行",
    not_a_party: "您不是该交易的当事方", not_the_firm: "只能以本企业身份操作", not_the_holder: "您不是该应收账款的持有人",
    role_not_allowed: "您的角色不能执行此操作", duplicate_invoice: "该发票已登记过", duplicate_document: "该单据已登记过",
    missing_invoice_key: "发票缺少发票标识", invalid_invoice_key: "发票标识无效", proposal_expired: "待确认已超过 30 天，已失效",
    paid_on_receivable: "已开立应收账款的发票须通过结算应收账款付款", self_trade: "买方与卖方不能是同一企业",
    unknown_currency: "未知币种", invalid_due_date: "到期日有误", future_time: "时间不能晚于现在", invalid_nonce: "序号有误",
    invalid_split: "拆分方式有误", split_amount_mismatch: "拆分金额之和不等于原金额", tier_too_deep: "流转层级过深",
    already_financed: "已融资", already_issued: "已开立应收账款", already_revoked: "授权已撤销", wrong_state: "当前状态不允许该操作",
    not_an_invoice: "不是发票", not_a_core_buyer: "买方不是核心企业", not_overdue: "尚未逾期", self_finance: "不能为自己融资",
    advance_exceeds_amount: "融资金额超过应收账款金额", settlement_amount_mismatch: "结算金额不符", holder_not_active: "持有人未处于正常状态",
    operation_in_flight: "该操作正在处理中", duplicate_submission: "重复提交", invoice_paid: "发票已付款",
    receivable_not_eligible: "该应收账款不可用于此决策", model_unavailable: "评分模型不可用", nothing_indexed: "账本尚未索引",
    unknown_figure: "未知指标", unknown_document: "未知单据", document_too_large: "单据过大", empty_document: "单据为空",
    invalid_address: "地址无效", invalid_credit_code: "统一社会信用代码无效", invalid_page: "分页参数有误", invalid_time: "时间有误",
    body_too_large: "请求过大", chain_unavailable: "区块链节点不可用", expired: "已过期", batch_too_large: "批量过大",
    method_not_allowed: "不支持该操作", internal_error: "服务器出错，已记录", network: "无法连接服务器",
    keystore_password: "密钥文件密码错误或文件无效", wallet_rejected: "钱包拒绝了签名请求", list_unavailable: "本服务器尚未提供此列表",
    offer_not_open: "该融资报价已不可接受", offer_expired: "该融资报价已过期", offer_exists: "相同条件的报价已存在", not_the_bank: "只有报价银行可以撤回",
  },
  en: {
    unauthorized: "Not signed in, or the sign-in ended", not_authenticated: "Please sign in first", invalid_token: "The sign-in token is not valid; sign in again",
    token_expired: "The sign-in expired; sign in again", unknown_challenge: "Unknown sign-in message; ask for a new one", challenge_expired: "The sign-in message expired; try again",
    challenge_replayed: "This sign-in message was used already", invalid_signature: "The signature is not valid", firm_not_active: "The firm is not active",
    firm_not_registered: "The firm is not registered", forbidden: "You may not do this", not_found: "Not found", invalid_request: "The request is not valid", side_without_party: "Filtering by side needs a firm",
    rate_limited: "Too many requests; try again shortly", no_consent: "The firm has not given this bank its consent", not_a_bank: "That firm is not a bank",
    not_a_party: "You are not a party to this trade", not_the_firm: "You can act only as your own firm", not_the_holder: "You do not hold this receivable",
    role_not_allowed: "Your role may not do this", duplicate_invoice: "This invoice is on the ledger already", duplicate_document: "This document is on the ledger already",
    missing_invoice_key: "The invoice has no invoice identity", invalid_invoice_key: "The invoice identity is not valid", proposal_expired: "The proposal waited over 30 days and expired",
    paid_on_receivable: "A receivable was issued from this invoice: settle the receivable instead", self_trade: "Buyer and seller must be different firms",
    unknown_currency: "Unknown currency", invalid_due_date: "The due date is not valid", future_time: "The time cannot be in the future", invalid_nonce: "Wrong sequence number",
    invalid_split: "The split is not valid", split_amount_mismatch: "The parts do not add up to the amount", tier_too_deep: "Too many tiers down the chain",
    already_financed: "Already financed", already_issued: "A receivable was issued already", already_revoked: "The consent was revoked already", wrong_state: "Not possible in the current state",
    not_an_invoice: "Not an invoice", not_a_core_buyer: "The buyer is not a core enterprise", not_overdue: "Not overdue yet", self_finance: "A bank cannot finance itself",
    advance_exceeds_amount: "The advance exceeds the receivable", settlement_amount_mismatch: "The settlement amount does not match", holder_not_active: "The holder is not active",
    operation_in_flight: "This operation is being processed", duplicate_submission: "Submitted twice", invoice_paid: "The invoice is paid",
    receivable_not_eligible: "This receivable cannot back the decision", model_unavailable: "The scoring model is not available", nothing_indexed: "The ledger is not indexed yet",
    unknown_figure: "Unknown figure", unknown_document: "Unknown document", document_too_large: "The document is too large", empty_document: "The document is empty",
    invalid_address: "The address is not valid", invalid_credit_code: "The unified social credit code is not valid", invalid_page: "Bad paging parameters", invalid_time: "The time is not valid",
    body_too_large: "The request is too large", chain_unavailable: "The chain node is not available", expired: "Expired", batch_too_large: "The batch is too large",
    method_not_allowed: "Not supported", internal_error: "The server failed; it has been logged", network: "The server cannot be reached",
    keystore_password: "Wrong keystore password, or not a keystore file", wallet_rejected: "The wallet refused to sign", list_unavailable: "This server does not offer this list yet",
    offer_not_open: "This financing offer can no longer be accepted", offer_expired: "This financing offer has expired", offer_exists: "An offer on these terms exists already", not_the_bank: "Only the offering bank may withdraw it",
  },
};

const status: Record<"zh" | "en", Table> = {
  zh: {
    accepted: "已受理", queued: "排队中", submitted: "已提交", recorded: "已上链", final: "已最终确认", failed: "失败", proposed: "待买方确认",
    verified: "已核验", rejected: "已拒绝", pending: "待确认", confirmed: "已确认", settled: "已结算", defaulted: "已违约",
    offer_open: "可接受", offer_accepted: "已接受", offer_lapsed: "已失效", offer_expired: "已过期", offer_withdrawn: "已撤回",
    financed: "已融资", split: "已拆分", transferred: "已转让", approve: "批准", refer: "转人工审核", decline: "拒绝",
    active: "正常", suspended: "已暂停", revoked: "已撤销", anchored: "已锚定", ok: "正常",
    expired: "已过期", revoking: "撤销中", replaced: "已被新授权取代",
  },
  en: {
    accepted: "Accepted", queued: "Queued", submitted: "Submitted", recorded: "Recorded", final: "Final", failed: "Failed", proposed: "Awaiting the buyer",
    verified: "Verified", rejected: "Rejected", pending: "Pending", confirmed: "Confirmed", settled: "Settled", defaulted: "Defaulted",
    offer_open: "Open", offer_accepted: "Accepted", offer_lapsed: "Lapsed", offer_expired: "Expired", offer_withdrawn: "Withdrawn",
    financed: "Financed", split: "Split", transferred: "Transferred", approve: "Approve", refer: "Refer to an officer", decline: "Decline",
    active: "Active", suspended: "Suspended", revoked: "Revoked", anchored: "Anchored", ok: "OK",
    expired: "Expired", revoking: "Being revoked", replaced: "Replaced by a newer consent",
  },
};

const reasons: Record<"zh" | "en", Table> = {
  zh: {
    amount_over_limit: "申请金额超过额度", circular_trading: "存在循环交易迹象", default_on_record: "有违约记录", firm_not_active: "企业未处于正常状态",
    no_limit: "无可用额度", pd_elevated: "违约概率偏高", pd_too_high: "违约概率过高", volume_spike: "交易量异常激增",
  },
  en: {
    amount_over_limit: "The amount asked exceeds the limit", circular_trading: "Signs of circular trading", default_on_record: "A default on record", firm_not_active: "The firm is not active",
    no_limit: "No limit available", pd_elevated: "Elevated probability of default", pd_too_high: "Probability of default too high", volume_spike: "A spike in trading volume",
  },
};

const labels: Record<"zh" | "en", Table> = {
  zh: {
    app: "供应链金融账本", language: "English", signIn: "登录", signOut: "退出", signInTitle: "以企业自己的密钥登录",
    signInHint: "密钥只在本浏览器中使用，不会上传。", wallet: "使用浏览器钱包登录", keystore: "密钥文件 (JSON)", password: "密码",
    unlock: "解锁并登录", signingIn: "正在登录…", roles: "角色", address: "地址", operator: "运营方",
    SUPPLIER: "供应商", CORE: "核心企业", BANK: "银行", ORACLE: "预言机",
    smeHome: "供应商工作台", coreHome: "核心企业工作台", bankHome: "银行工作台", operatorHome: "运营方工作台",
    salesByMonth: "每月已核验销售额", recordInvoice: "登记发票", buyer: "买方", buyerAddress: "买方地址", amountYuan: "金额（元）",
    issuedOn: "开票日期", dueOn: "到期日", invoiceNumber: "发票号码", creditCode: "统一社会信用代码", document: "发票单据",
    docHash: "单据 SHA-256", submit: "签名并提交", submitted: "已提交", tradeId: "交易编号", stateLabel: "状态", refresh: "刷新",
    myInvoices: "我登记的发票", awaitingBuyer: "待买方确认", grantConsent: "授权银行", bank: "银行地址", scope: "授权范围",
    scopeProfile: "信用档案", scopeDocuments: "单据", scopeDecisions: "授信决策", expiresOn: "有效期至", nonce: "序号",
    revoke: "撤销", consentId: "授权编号", bankName: "银行", consentsGiven: "已给出的授权", grant: "签名授权", decisionsAboutMe: "关于本企业的授信决策",
    inbox: "待确认发票", openTrade: "按交易编号查看", confirm: "确认", reject: "拒绝", reason: "拒绝理由", seller: "卖方",
    amount: "金额", issued: "开票", due: "到期", receivable: "应收账款",
    firm: "企业地址", readProfile: "查看信用档案", score: "评分", grade: "等级", pd: "违约概率", limit: "额度", price: "价格（年化）",
    figures: "指标", evidence: "证据", verify: "在浏览器中核验", verifying: "正在核验…", verifiedInPage: "已在浏览器中核验",
    sigOk: "签名恢复出的地址与当事方一致", sigBad: "签名与当事方不一致", txOk: "节点上的交易与证据一致", txBad: "节点上的交易与证据不一致",
    decisionForm: "申请授信决策", tenorDays: "期限（天）", ask: "提交", outcome: "结论", decisionReasons: "决策理由",
    scoreReasons: "评分理由", decisionHistory: "决策历史", verification: "核验", pointsLost: "扣分",
    registerFirm: "注册企业", register: "注册", health: "系统状态", ready: "就绪", notReady: "未就绪",
    legalNameZh: "企业名称（中文）", region: "注册地区", industry: "所属行业", legalNameEn: "企业名称（英文）", suspend: "暂停", reactivate: "恢复",
    consentingFirms: "已授权本银行的企业", noData: "暂无数据", loading: "加载中…", error: "出错了", events: "链上事件",
    typedData: "签名数据 (EIP-712)", signatures: "签名", block: "区块", tx: "交易", finance: "融资", split: "拆分",
    advance: "融资金额（元）", rateBps: "年利率（基点）", to: "转给", receivableId: "应收账款编号", network: "交易网络",
    trees: "应收账款流转", daysBeyondTerms: "逾期天数", concentration: "买方集中度", close: "关闭", value: "值",
    receivablesHeld: "持有的应收账款", tier: "层级", obligor: "付款方", splitOrTransfer: "拆分 / 转让", splitOf: "拆分",
    addPiece: "再加一份", keptByMe: "本企业保留", overAmount: "超过应收账款金额", signAndSplit: "签名并拆分",
    attested: "设备与物流核验", trend: "趋势", consistencyFlag: "开票量远超核验产量（疑似虚假交易）",
    fig_attested_coverage: "核验覆盖的销售占比", fig_attested_deliveries: "物流核验的发票占比",
    fig_production_consistency: "开票量 / 核验产量", fig_capacity_utilisation: "产能利用率（90 天）",
    fig_sales_90d: "近 90 天已核验销售", fig_sales_365d: "近 365 天已核验销售", fig_receivables_held: "持有的应收账款", fig_disputes: "争议",
    fig_repayment_record: "还款记录", fig_defaults_as_obligor: "作为付款方的违约", decisionReceivables: "用于本次决策的应收账款（不选则全部）", latestDecision: "最近一次授信决策", noDecisionYet: "本银行尚未对该企业作出授信决策",
    showTree: "查看流转树", hideTree: "收起流转树", treeHidden: "无权查看的部分", treeShown: "可见节点", treeHiddenNote: "灰色节点之下的部分您无权查看",
    delaysByMonth: "每月付款逾期天数（加权）", networkEdges: "往来关系", networkMore: "另有往来关系未显示", invoices: "张发票", buyerAndSeller: "既是买方也是卖方",
    financeReceivable: "应收账款融资", noFinanceable: "该企业暂无可融资的已确认应收账款", advanceYuan: "融资金额（元）",
    ratePercent: "年利率（%）", validDays: "报价有效期（天）", signAndOffer: "签名并报价", bankLabel: "银行", advanceAmount: "融资金额",
    rate: "年利率", offerDeadline: "报价截止", offersReceived: "收到的融资报价", acceptOffer: "签名并接受",
  },
  en: {
    app: "SCF Ledger", language: "中文", signIn: "Sign in", signOut: "Sign out", signInTitle: "Sign in with your firm's own key",
    signInHint: "Your key is used in this browser only; it is never uploaded.", wallet: "Sign in with a browser wallet", keystore: "Keystore file (JSON)", password: "Password",
    unlock: "Unlock and sign in", signingIn: "Signing in…", roles: "Roles", address: "Address", operator: "Operator",
    SUPPLIER: "Supplier", CORE: "Core enterprise", BANK: "Bank", ORACLE: "Oracle",
    smeHome: "Supplier workspace", coreHome: "Core enterprise workspace", bankHome: "Bank workspace", operatorHome: "Operator workspace",
    salesByMonth: "Verified sales by month", recordInvoice: "Record an invoice", buyer: "Buyer", buyerAddress: "Buyer's address", amountYuan: "Amount (yuan)",
    issuedOn: "Issued on", dueOn: "Due on", invoiceNumber: "Invoice number", creditCode: "Unified social credit code", document: "Invoice document",
    docHash: "Document SHA-256", submit: "Sign and submit", submitted: "Submitted", tradeId: "Trade id", stateLabel: "Status", refresh: "Refresh",
    myInvoices: "Invoices I recorded", awaitingBuyer: "Awaiting the buyer", grantConsent: "Consent for a bank", bank: "Bank's address", scope: "Scope",
    scopeProfile: "Credit profile", scopeDocuments: "Documents", scopeDecisions: "Credit decisions", expiresOn: "Valid until", nonce: "Sequence number",
    revoke: "Revoke", consentId: "Consent id", bankName: "Bank", consentsGiven: "Consents given", grant: "Sign the consent", decisionsAboutMe: "Credit decisions about my firm",
    inbox: "Invoices awaiting my signature", openTrade: "Open a trade by id", confirm: "Confirm", reject: "Reject", reason: "Reason", seller: "Seller",
    amount: "Amount", issued: "Issued", due: "Due", receivable: "Receivable",
    firm: "Firm's address", readProfile: "Read the credit profile", score: "Score", grade: "Grade", pd: "Probability of default", limit: "Limit", price: "Price (a year)",
    figures: "Figures", evidence: "Evidence", verify: "Verify in this browser", verifying: "Verifying…", verifiedInPage: "Verified in this browser",
    sigOk: "The signatures recover to the parties", sigBad: "A signature does not match its party", txOk: "The node's transaction matches the evidence", txBad: "The node's transaction does not match the evidence",
    decisionForm: "Ask for a credit decision", tenorDays: "Tenor (days)", ask: "Ask", outcome: "Outcome", decisionReasons: "Reasons for the decision",
    scoreReasons: "Score reasons", decisionHistory: "Decision history", verification: "Verification", pointsLost: "points lost",
    registerFirm: "Register a firm", register: "Register", health: "System health", ready: "Ready", notReady: "Not ready",
    legalNameZh: "Legal name (Chinese)", region: "Region", industry: "Industry", legalNameEn: "Legal name (English)", suspend: "Suspend", reactivate: "Reactivate",
    consentingFirms: "Firms that consented to this bank", noData: "Nothing yet", loading: "Loading…", error: "Something went wrong", events: "Events on chain",
    typedData: "Signed data (EIP-712)", signatures: "Signatures", block: "Block", tx: "Transaction", finance: "Finance", split: "Split",
    advance: "Advance (yuan)", rateBps: "Rate (basis points a year)", to: "To", receivableId: "Receivable id", network: "Trading network",
    trees: "Receivables down the tiers", daysBeyondTerms: "Days beyond terms", concentration: "Buyer concentration", close: "Close", value: "Value",
    receivablesHeld: "Receivables held", tier: "Tier", obligor: "Owed by", splitOrTransfer: "Split / transfer", splitOf: "Split",
    addPiece: "Add a piece", keptByMe: "Kept by this firm", overAmount: "More than the receivable", signAndSplit: "Sign and split",
    attested: "Vouched for by machines and carriers", trend: "trend", consistencyFlag: "invoices far more than its attested output (fraud signal)",
    fig_attested_coverage: "Sales covered by attested facts", fig_attested_deliveries: "Invoices with an attested delivery",
    fig_production_consistency: "Invoiced / attested units", fig_capacity_utilisation: "Capacity utilisation (90 d)",
    fig_sales_90d: "Verified sales, 90 days", fig_sales_365d: "Verified sales, 365 days", fig_receivables_held: "Receivables held", fig_disputes: "Disputes",
    fig_repayment_record: "Repayment record", fig_defaults_as_obligor: "Defaults as obligor", decisionReceivables: "Receivables for this decision (none: all)", latestDecision: "Latest credit decision", noDecisionYet: "This bank has made no credit decision on the firm yet",
    showTree: "Show the tree", hideTree: "Hide the tree", treeHidden: "Parts you may not see", treeShown: "Nodes shown", treeHiddenNote: "The parts under a grey node are not yours to see",
    delaysByMonth: "Days beyond terms by month (amount-weighted)", networkEdges: "Counterparty links", networkMore: "more links not shown", invoices: "invoices", buyerAndSeller: "Buyer and seller",
    financeReceivable: "Finance a receivable", noFinanceable: "This firm holds no confirmed receivable to finance", advanceYuan: "Advance (yuan)",
    ratePercent: "Rate (% a year)", validDays: "Offer valid for (days)", signAndOffer: "Sign and offer", bankLabel: "Bank", advanceAmount: "Advance",
    rate: "Rate a year", offerDeadline: "Offer ends", offersReceived: "Financing offers received", acceptOffer: "Sign and accept",
  },
};

// The figures' fields and the scorecard's characteristics, as the bank's profile and the
// decision's reasons name them.
const field: Record<"zh" | "en", Table> = {
  zh: {
    amount: "金额", count: "笔数", trades: "交易笔数", rejected: "被拒笔数", rate: "比率", on_time: "按时", late: "逾期",
    avg_late_days: "平均逾期天数", advance: "融资额", share: "占比", days: "天数", buyers: "买方数", hhi: "集中度指数 (HHI)",
  },
  en: {
    amount: "amount", count: "count", trades: "trades", rejected: "rejected", rate: "rate", on_time: "on time", late: "late",
    avg_late_days: "average days late", advance: "advance", share: "share", days: "days", buyers: "buyers", hhi: "HHI",
  },
};

const feat: Record<"zh" | "en", Table> = {
  zh: {
    tenure_percentile: "经营年限（同业百分位）", size_percentile: "规模（同业百分位）", sales_trend: "销售趋势", sales_trend_cv: "销售波动",
    buyers: "买方数量", buyer_hhi: "买方集中度", core_buyer_share: "核心企业销售占比", dispute_rate: "争议率", dispute_rate_180d: "近 180 天争议率",
    dbt_as_payer: "付款逾期天数", dbt_as_payer_180d: "近 180 天付款逾期天数", late_share_as_payer: "逾期付款占比", dbt_as_payee: "回款逾期天数",
    repayment_late_share: "还款逾期占比", young_counterparty_share: "新设交易对手占比", network_rank: "交易网络地位",
    production_consistency: "开票量 / 核验产量", capacity_utilisation: "产能利用率", utilisation_trend: "产能利用率趋势", attested_coverage: "核验覆盖的销售占比",
  },
  en: {
    tenure_percentile: "Tenure (percentile)", size_percentile: "Size (percentile)", sales_trend: "Sales trend", sales_trend_cv: "Sales volatility",
    buyers: "Number of buyers", buyer_hhi: "Buyer concentration", core_buyer_share: "Share of sales to core enterprises", dispute_rate: "Dispute rate", dispute_rate_180d: "Dispute rate, last 180 days",
    dbt_as_payer: "Days beyond terms paying", dbt_as_payer_180d: "Days beyond terms paying, last 180 days", late_share_as_payer: "Share of payments late", dbt_as_payee: "Days beyond terms being paid",
    repayment_late_share: "Share of repayments late", young_counterparty_share: "Share of young counterparties", network_rank: "Place in the trade network",
    production_consistency: "Invoiced / attested units", capacity_utilisation: "Capacity utilisation", utilisation_trend: "Utilisation trend", attested_coverage: "Sales covered by attested facts",
  },
};

// The payables calendar, settlement and payments (pages/Payments.tsx, pages/Settle.tsx).
const payments: Record<"zh" | "en", Table> = {
  zh: {
    payablesCalendar: "应付日历（按到期月份）", dueMonth: "到期月份", creditor: "收款方", overdue: "已逾期",
    settlement: "结算与付款", settledReceivables: "已结算 / 违约的应收账款", paidOn: "付款日期", lateness: "是否逾期",
    onTime: "按时", daysLate_one: "逾期 {{count}} 天", daysLate_other: "逾期 {{count}} 天", paymentsMade: "已付贸易款项",
    totalsByCurrency: "按币种合计", payee: "收款方", settleActions: "结算与违约", recordSettlement: "登记结算",
    markDefault: "标记违约", settleOf: "结算", signAndSettle: "签名并登记结算（全额）",
    payRefHint: "付款参考（按原文上链，至多 32 字节）", payRefTooLong: "付款参考超过 32 字节",
    receivablesHeldByBank: "本银行持有的应收账款",
  },
  en: {
    payablesCalendar: "Payables calendar (by due month)", dueMonth: "Due month", creditor: "Owed to", overdue: "overdue",
    settlement: "Settlement and payments", settledReceivables: "Receivables settled or defaulted", paidOn: "Paid on", lateness: "On time?",
    onTime: "On time", daysLate_one: "{{count}} day late", daysLate_other: "{{count}} days late", paymentsMade: "Trade payments made",
    totalsByCurrency: "Totals by currency", payee: "Payee", settleActions: "Settlement and default", recordSettlement: "Record settlement",
    markDefault: "Mark default", settleOf: "Settlement of", signAndSettle: "Sign and record the settlement (in full)",
    payRefHint: "Payment reference (on chain as its text, up to 32 bytes)", payRefTooLong: "The payment reference is over 32 bytes",
    receivablesHeldByBank: "Receivables held by the bank",
  },
};

export function resources() {
  const build = (lang: "zh" | "en") => ({
    translation: { ...labels[lang], ...payments[lang], errors: errors[lang], status: status[lang], reasons: reasons[lang], field: field[lang], feat: feat[lang] },
  });
  return { "zh-CN": build("zh"), en: build("en") };
}

export const translations = { labels, payments, errors, status, reasons, field, feat };
