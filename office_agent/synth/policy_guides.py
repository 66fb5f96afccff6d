# ruff: noqa: E501  (guide texts are data: CJK characters count double against the line length)
"""The texts of the sample guides (fictional but modelled on real Hangzhou service guides) and their truth.

``material(...)`` lines are required materials with their ground truth; ``item(kind, ...)`` lines are other items
the extractor must find; plain strings are paragraphs that are neither.
"""

from __future__ import annotations

from office_agent.synth.policy import Guide, Item, Section, Table, Truth, item, material

PASSPORT = Guide(
    name="passport_hangzhou",
    suffix=".docx",
    title="杭州市户籍居民普通护照办理指南",
    sections=[
        Section(
            "一、适用对象",
            [
                item(
                    "eligibility",
                    "具有杭州市常住户口的中国公民，因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国的，"
                    "可以申请普通护照。",
                    "pp_elig",
                    ["常住户口"],
                ),
            ],
        ),
        Section(
            "二、申请材料",
            subsections=[
                Section(
                    "（一）基本材料",
                    [
                        material(
                            "居民身份证原件（在有效期内的临时居民身份证也可）。", "pp_id", ["居民身份证"], original=True
                        ),
                        material("近期免冠彩色照片1张（可在受理点现场免费拍摄）。", "pp_photo", ["照片"], copies=1),
                        material(
                            "《中国公民出入境证件申请表》1份（现场填写，或通过“浙里办”APP预填）。",
                            "pp_form",
                            ["申请表"],
                            copies=1,
                        ),
                    ],
                ),
                Section(
                    "（二）换发或补发护照的，另需提交",
                    [
                        material(
                            "原护照原件（换发时提交，尚在有效期内的须交回）。",
                            "pp_old",
                            ["原护照"],
                            ["renewal"],
                            original=True,
                        ),
                        material(
                            "护照遗失或被盗的，提交《护照遗失、被盗报告证明》或本人书面情况说明1份。",
                            "pp_lost",
                            ["遗失"],
                            ["lost"],
                            copies=1,
                        ),
                    ],
                ),
                Section(
                    "（三）未满16周岁的申请人，另需提交",
                    [
                        material(
                            "出生医学证明原件及复印件1份。",
                            "pp_birth",
                            ["出生医学证明"],
                            ["age_under"],
                            original=True,
                            copy=True,
                            copies=1,
                        ),
                        material(
                            "监护人居民身份证原件及复印件1份。",
                            "pp_guardian",
                            ["监护人居民身份证"],
                            ["age_under"],
                            original=True,
                            copy=True,
                            copies=1,
                        ),
                        material(
                            "能够证明监护关系的户口簿原件或公证书原件。",
                            "pp_relation",
                            ["监护关系"],
                            ["age_under"],
                            original=True,
                        ),
                    ],
                ),
                Section(
                    "（四）特殊人员，另需提交",
                    [
                        material(
                            "现役军人须提交所属部队团级以上政治机关出具的同意出境意见原件。",
                            "pp_military",
                            ["同意出境意见"],
                            ["military"],
                            original=True,
                        ),
                        material(
                            "国家工作人员须提交所在单位或上级主管部门出具的《国家工作人员因私事出国（境）审批表》原件。",
                            "pp_state",
                            ["审批表"],
                            ["state_employee"],
                            original=True,
                        ),
                        material(
                            "委托他人代办的（仅限换发、补发），提交委托书原件及代办人居民身份证原件。",
                            "pp_agent",
                            ["委托书"],
                            ["agent"],
                            original=True,
                        ),
                        "注：杭州市户籍居民可在全市任一出入境接待大厅办理，无需提交户口簿。",
                    ],
                ),
            ],
        ),
        Section(
            "三、办理地点",
            [
                item(
                    "where",
                    "杭州市公安局出入境管理局出入境接待大厅（杭州市上城区解放东路18号市民中心）。",
                    "pp_where_city",
                    ["市民中心"],
                ),
                item("where", "各区、县（市）公安分局出入境接待大厅。", "pp_where_district", ["公安分局"]),
                item(
                    "where",
                    "网上预约：通过“浙里办”APP或“杭州公安出入境”微信公众号预约，按预约时段到场办理。",
                    "pp_online",
                    ["浙里办"],
                ),
            ],
        ),
        Section(
            "四、办理流程",
            [
                item("step", "预约：通过网上渠道选择办理地点和时段。", "pp_step1", ["预约"]),
                item("step", "受理：现场取号，采集指纹、拍摄证件照片，提交申请材料。", "pp_step2", ["采集指纹"]),
                item("step", "缴费：按收费标准缴纳证件费。", "pp_step3", ["缴纳"]),
                item("step", "领证：凭受理回执现场领取，或选择邮政速递（EMS）寄递到家。", "pp_step4", ["领取"]),
            ],
        ),
        Section(
            "五、收费标准",
            [
                Table(
                    ["收费项目", "标准", "依据"],
                    [
                        ["普通护照（首次申请、换发、补发）", "120元/本", "发改价格规〔2019〕914号"],
                        ["邮政速递寄递", "20元/件", "自愿选择"],
                    ],
                    [Truth("pp_fee", ["120元"], "fee"), Truth("pp_fee_ems", ["20元"], "fee")],
                ),
            ],
        ),
        Section(
            "六、办理时限",
            [
                item("time", "材料齐全、符合法定形式的，自受理之日起7个工作日内签发。", "pp_time", ["7个工作日"]),
            ],
        ),
        Section(
            "七、证件有效期",
            [
                item(
                    "validity",
                    "未满16周岁的，护照有效期为5年；16周岁以上的，护照有效期为10年。",
                    "pp_valid",
                    ["有效期"],
                ),
            ],
        ),
        Section(
            "八、注意事项",
            [
                item("note", "申请人须本人到场，按规定采集指纹。", "pp_note1", ["本人到场"]),
                item(
                    "note",
                    "未满16周岁的申请人须由监护人陪同办理，并由监护人在申请表上签名。",
                    "pp_note2",
                    ["监护人陪同"],
                ),
                item("note", "原护照尚在有效期内的，换发时须交回原护照。", "pp_note3", ["交回"]),
            ],
        ),
    ],
    questions=[
        {
            "question": "我是杭州户籍的成年人，第一次办理护照，需要带什么材料？",
            "expect": ["pp_id", "pp_photo", "pp_form", "pp_military", "pp_state"],
            "excluded": ["pp_old", "pp_lost", "pp_birth", "pp_guardian", "pp_relation", "pp_agent"],
        },
        {
            "question": "杭州户籍办理护照需要什么材料",
            "expect": [
                "pp_id",
                "pp_photo",
                "pp_form",
                "pp_old",
                "pp_lost",
                "pp_birth",
                "pp_guardian",
                "pp_relation",
                "pp_military",
                "pp_state",
                "pp_agent",
            ],
            "excluded": [],
        },
        {
            "question": "孩子12岁，杭州户口，首次申请护照要准备哪些材料",
            "expect": [
                "pp_id",
                "pp_photo",
                "pp_form",
                "pp_birth",
                "pp_guardian",
                "pp_relation",
                "pp_military",
                "pp_state",
            ],
            "excluded": ["pp_old", "pp_lost", "pp_agent"],
        },
        {
            "question": "护照丢了，杭州户籍成年人补办护照需要什么",
            "expect": ["pp_id", "pp_photo", "pp_form", "pp_lost", "pp_old", "pp_military", "pp_state", "pp_agent"],
            "excluded": ["pp_birth", "pp_guardian", "pp_relation"],
        },
    ],
)

ID_CARD = Guide(
    name="id_card_renewal",
    suffix=".pdf",
    title="杭州市居民身份证有效期满换领办理指南",
    sections=[
        Section(
            "一、办理条件",
            [
                item(
                    "eligibility",
                    "居民身份证有效期满或者即将期满（有效期届满前三个月内）的杭州市户籍居民，应当向常住户口所在地的"
                    "公安机关申请换领新证。申请换领时，应当交回原证。",
                    "id_elig",
                    ["有效期满"],
                ),
            ],
        ),
        Section(
            "二、申请材料",
            [
                "申请人办理时须携带下表所列材料，复印件一律使用A4纸。",
                Table(
                    ["序号", "材料名称", "原件/复印件", "份数", "适用情形"],
                    [
                        ["1", "原居民身份证", "原件", "1", "所有申请人，换领时交回"],
                        ["2", "居民户口簿", "原件", "1", "所有申请人，交验后退还"],
                        ["3", "《居民身份证申领登记表》", "原件", "1", "所有申请人，现场填写"],
                        ["4", "监护人居民身份证", "原件及复印件", "1", "未满16周岁的申请人"],
                        ["5", "部队出具的身份证明", "原件", "1", "现役军人、武警申请人"],
                        ["6", "委托书及受托人居民身份证", "原件", "1", "委托他人代领新证的"],
                    ],
                    [
                        Truth("id_old", ["原居民身份证"], original=True, copies=1),
                        Truth("id_hukou", ["户口簿"], original=True, copies=1),
                        Truth("id_form", ["申领登记表"], original=True, copies=1),
                        Truth("id_guardian", ["监护人"], conditions=["age_under"], original=True, copy=True, copies=1),
                        Truth("id_military", ["部队"], conditions=["military"], original=True, copies=1),
                        Truth("id_agent", ["委托书"], conditions=["agent"], original=True, copies=1),
                    ],
                ),
                "申请人的人像由受理窗口现场免费采集，无需自带照片；年满16周岁的申请人须同时采集指纹信息。",
            ],
        ),
        Section(
            "三、办理流程",
            [
                item(
                    "step",
                    "取号：到户籍所在地派出所户籍窗口或办证中心取号，也可通过“浙里办”APP预约。",
                    "id_step1",
                    ["取号"],
                ),
                item("step", "受理：交验材料，现场采集人像和指纹，核对登记信息。", "id_step2", ["采集人像"]),
                item("step", "缴费：缴纳居民身份证工本费。", "id_step3", ["缴纳"]),
                item("step", "领证：凭领证回执到受理窗口领取新证，也可选择邮政寄递。", "id_step4", ["领证回执"]),
            ],
        ),
        Section(
            "四、收费标准",
            [
                item("fee", "换领居民身份证工本费每证20元；申领临时居民身份证工本费每证10元。", "id_fee", ["20元"]),
            ],
        ),
        Section(
            "五、办理时限",
            [
                item("time", "自受理之日起30日内办结；跨省异地换领的，60日内办结。", "id_time", ["30日"]),
            ],
        ),
        Section(
            "六、证件有效期",
            [
                item(
                    "validity",
                    "十六周岁至二十五周岁的，发给有效期十年的居民身份证；二十六周岁至四十五周岁的，有效期二十年；"
                    "四十六周岁以上的，长期有效。",
                    "id_valid",
                    ["有效期十年"],
                ),
            ],
        ),
        Section(
            "七、办理地点",
            [
                item("where", "常住户口所在地公安派出所户籍窗口；已开通异地受理的办证中心。", "id_where", ["派出所"]),
            ],
        ),
    ],
    questions=[
        {
            "question": "身份证到期了怎么换，要带什么",
            "expect": ["id_old", "id_hukou", "id_form", "id_guardian", "id_military", "id_agent"],
            "excluded": [],
        },
        {
            "question": "杭州户籍成年人身份证到期换领，本人去办理，需要哪些材料",
            "expect": ["id_old", "id_hukou", "id_form", "id_military", "id_agent"],
            "excluded": ["id_guardian"],
        },
    ],
)

RESIDENCE = Guide(
    name="residence_permit",
    suffix=".html",
    title="杭州市居住证申领指南",
    sections=[
        Section(
            "申领条件",
            [
                item(
                    "eligibility",
                    "非杭州市户籍人员，在本市居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的，"
                    "可以在居住地申领居住证。",
                    "rp_elig",
                    ["居住半年以上"],
                ),
            ],
        ),
        Section(
            "申请材料",
            [
                material("本人居民身份证原件", "rp_id", ["居民身份证原件"], original=True),
                material("近期一寸白底免冠彩色照片2张", "rp_photo", ["照片"], copies=2),
                material("《浙江省居住证申领登记表》1份", "rp_form", ["申领登记表"], copies=1),
                material(
                    "合法稳定住所证明（房屋所有权证、租赁合同或单位出具的住宿证明）复印件1份",
                    "rp_home",
                    ["住所证明"],
                    copy=True,
                    copies=1,
                ),
                material(
                    "以合法稳定就业申领的，提交劳动合同或营业执照复印件1份",
                    "rp_job",
                    ["劳动合同"],
                    ["other"],
                    copy=True,
                    copies=1,
                ),
                material(
                    "以连续就读申领的，提交学校出具的在读证明原件", "rp_school", ["在读证明"], ["other"], original=True
                ),
                material(
                    "未满16周岁的，由监护人代为申领，另需提交监护人居民身份证原件",
                    "rp_guardian",
                    ["监护人居民身份证"],
                    ["age_under"],
                    original=True,
                ),
            ],
        ),
        Section(
            "办理地点",
            [
                "居住地所在的社区（村）居住证受理点，各区受理点如下：",
                Table(
                    ["区域", "受理点", "地址"],
                    [
                        ["上城区", "上城区流动人口服务中心", "上城区望江街道秋涛路258号"],
                        ["西湖区", "西湖区流动人口服务中心", "西湖区文三路199号"],
                    ],
                    [Truth("rp_where1", ["上城区"], "where"), Truth("rp_where2", ["西湖区"], "where")],
                ),
                item("where", "网上办理：登录“浙里办”APP，进入“居住证申领”在线提交。", "rp_online", ["浙里办"]),
            ],
        ),
        Section(
            "办理时限",
            [
                item("time", "材料齐全的，自受理之日起15日内发放居住证。", "rp_time", ["15日"]),
            ],
        ),
        Section(
            "收费标准",
            [
                item("fee", "首次申领居住证免费；换领、补领的，收取工本费20元。", "rp_fee", ["20元"]),
            ],
        ),
        Section(
            "有效期",
            [
                item("validity", "居住证有效期为1年，期满前30日内按规定办理签注。", "rp_valid", ["1年"]),
            ],
        ),
        Section(
            "温馨提示",
            [
                item("note", "租赁合同须经住房租赁管理部门登记备案。", "rp_note", ["登记备案"]),
            ],
        ),
    ],
    questions=[
        {
            "question": "外地户籍在杭州上班，第一次办居住证需要什么材料",
            "expect": ["rp_id", "rp_photo", "rp_form", "rp_home", "rp_job", "rp_school", "rp_guardian"],
            "excluded": [],
        },
        {
            "question": "我是成年人，外地户口，申领杭州居住证要带哪些材料",
            "expect": ["rp_id", "rp_photo", "rp_form", "rp_home", "rp_job", "rp_school"],
            "excluded": ["rp_guardian"],
        },
    ],
)

TRAVEL = Guide(
    name="travel_expense_policy",
    suffix=".md",
    title="杭州云帆科技有限公司差旅费报销管理办法（2025年修订）",
    sections=[
        Section(
            "第一章 总则",
            [
                "第一条 为规范公司差旅费管理，厉行节约，根据国家有关财务规定，结合公司实际，制定本办法。",
                item(
                    "eligibility",
                    "第二条 本办法适用于公司全体正式员工及实习生因公出差发生的城市间交通费、住宿费、伙食补助费和市内交通费。",
                    "tr_scope",
                    ["全体正式员工"],
                ),
            ],
        ),
        Section(
            "第二章 出差审批",
            [
                item(
                    "step",
                    "第三条 出差前须在OA系统提交《出差申请单》，经部门负责人审批后方可出行。",
                    "tr_step1",
                    ["出差申请单"],
                ),
                item(
                    "step",
                    "第四条 出差结束后，出差人在OA系统填写《差旅费报销单》，连同票据交财务部审核。",
                    "tr_step2",
                    ["差旅费报销单"],
                ),
            ],
        ),
        Section(
            "第三章 报销标准",
            [
                "第五条 住宿费和伙食补助按以下标准执行（单位：元/人·天）：",
                Table(
                    ["人员级别", "住宿费（一线城市）", "住宿费（其他城市）", "伙食补助"],
                    [
                        ["总监及以上", "800", "600", "150"],
                        ["经理", "600", "450", "120"],
                        ["其他员工", "450", "350", "100"],
                    ],
                    [
                        Truth("tr_fee1", ["总监"], "fee"),
                        Truth("tr_fee2", ["经理"], "fee"),
                        Truth("tr_fee3", ["其他员工"], "fee"),
                    ],
                ),
                "第六条 员工出差乘坐飞机的，一律乘坐经济舱；乘坐火车的，乘坐二等座。",
            ],
        ),
        Section(
            "第四章 报销材料",
            [
                "第七条 员工报销差旅费，须提交以下材料：",
                material("经审批的《出差申请单》打印件1份", "tr_apply", ["出差申请单"], copies=1),
                material("《差旅费报销单》1份，由出差人签字、部门负责人审核", "tr_claim", ["差旅费报销单"], copies=1),
                material(
                    "城市间交通票据：火车票、机票电子行程单或电子发票原件", "tr_ticket", ["交通票据"], original=True
                ),
                material("住宿费增值税发票原件及酒店结账水单", "tr_hotel", ["住宿费"], original=True),
                material(
                    "乘坐飞机超过规定舱位等级的，须提交总经理审批的《超标准审批单》",
                    "tr_over",
                    ["超标准审批单"],
                    ["other"],
                ),
                material("使用出租车或网约车的，提交电子发票及行程单", "tr_taxi", ["网约车"], ["other"]),
            ],
        ),
        Section(
            "第五章 报销时限",
            [
                item(
                    "time",
                    "第八条 出差人员应当在出差结束后15个工作日内办理报销，逾期未报销的须说明原因。",
                    "tr_time",
                    ["15个工作日"],
                ),
            ],
        ),
        Section(
            "第六章 附则",
            [
                "第九条 本办法由财务部负责解释，自2025年1月1日起施行。",
            ],
        ),
    ],
    questions=[
        {
            "question": "出差回来报销需要提交哪些材料",
            "expect": ["tr_apply", "tr_claim", "tr_ticket", "tr_hotel", "tr_over", "tr_taxi"],
            "excluded": [],
        },
    ],
)

GUIDES = [PASSPORT, ID_CARD, RESIDENCE, TRAVEL]
__all__ = ["GUIDES", "Item"]
