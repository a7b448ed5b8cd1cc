// Names and tax ids for the demo programme: every customer a distinct company (a bijection from
// its index, so no two customers fold to one key), unified social credit codes that pass
// GB 32100-2015, and the other spellings a second claimant might use for the same company.
import { creditCodeCheckChar, customerKeyOf } from '../domain/customer-key.js';
import type { Prng } from './prng.js';

const CITIES = [
  ['上海', 'Shanghai', '310000'], ['北京', 'Beijing', '110000'], ['广州', 'Guangzhou', '440100'], ['深圳', 'Shenzhen', '440300'],
  ['杭州', 'Hangzhou', '330100'], ['苏州', 'Suzhou', '320500'], ['南京', 'Nanjing', '320100'], ['成都', 'Chengdu', '510100'],
  ['武汉', 'Wuhan', '420100'], ['西安', "Xi'an", '610100'], ['天津', 'Tianjin', '120000'], ['重庆', 'Chongqing', '500000'],
  ['宁波', 'Ningbo', '330200'], ['无锡', 'Wuxi', '320200'], ['青岛', 'Qingdao', '370200'], ['厦门', 'Xiamen', '350200'],
  ['福州', 'Fuzhou', '350100'], ['长沙', 'Changsha', '430100'], ['郑州', 'Zhengzhou', '410100'], ['合肥', 'Hefei', '340100'],
  ['济南', 'Jinan', '370100'], ['大连', 'Dalian', '210200'], ['沈阳', 'Shenyang', '210100'], ['昆明', 'Kunming', '530100'],
] as const;
const BRAND_CHARS = [...'远景华信达恒瑞泰鼎盛宏鑫博创嘉联通汇安康明东新海金德丰晨星光天宇中诚正和润祥凯越'];
const INDUSTRIES = [
  '贸易', '科技', '物流', '酒店', '医药', '电子', '建设', '餐饮', '教育', '咨询', '制造', '地产',
  '旅游', '能源', '传媒', '食品', '服装', '化工', '机械', '零售', '网络', '软件', '印刷', '包装',
] as const;
const EN_FIRST = ['Blue', 'Golden', 'North Star', 'Harbour', 'Lakeside', 'Pacific', 'Summit', 'Pearl', 'Jade', 'Phoenix', 'Lotus', 'Orient'];
const EN_TRADE = ['Trading', 'Logistics', 'Hotels', 'Technology', 'Pharma', 'Electronics', 'Foods', 'Textiles', 'Consulting', 'Engineering'];
const EN_SUFFIX = ['Co., Ltd.', 'Ltd', 'Limited', 'Co. Ltd'];
const PARTNER_TRADES = ['通信', '网络科技', '信息技术', '电信服务', '数据通信', '信息系统'];

const CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const NAME_SPACE = CITIES.length * BRAND_CHARS.length * BRAND_CHARS.length * INDUSTRIES.length;
const NAME_STEP = 104_729; // prime, coprime with NAME_SPACE: index → name is a bijection
const ORG_SPACE = 31 ** 9;
const ORG_STEP = 1_000_000_007; // prime, coprime with 31

export interface CompanyName {
  name: string;
  city: (typeof CITIES)[number];
  /** The folded core a name-only key is made of, for the variant spellings. */
  core: string;
}

/** The index-th distinct Chinese company name (distinct for every index below NAME_SPACE). */
export function chineseCompany(index: number, offset: number, suffix: string): CompanyName {
  if (!Number.isSafeInteger(index) || index < 0 || index >= NAME_SPACE) throw new RangeError(`company index ${index} out of range`);
  let k = (index * NAME_STEP + offset) % NAME_SPACE;
  const industry = INDUSTRIES[k % INDUSTRIES.length]!;
  k = Math.floor(k / INDUSTRIES.length);
  const b2 = BRAND_CHARS[k % BRAND_CHARS.length]!;
  k = Math.floor(k / BRAND_CHARS.length);
  const b1 = BRAND_CHARS[k % BRAND_CHARS.length]!;
  k = Math.floor(k / BRAND_CHARS.length);
  const city = CITIES[k % CITIES.length]!;
  const core = `${city[0]}${b1}${b2}${industry}`;
  return { name: `${core}${suffix}`, city, core };
}

/** A valid unified social credit code, distinct for every index below 31^9. */
export function creditCode(index: number, offset: number, region: string): string {
  let k = (index * ORG_STEP + offset) % ORG_SPACE;
  if (!Number.isSafeInteger(index * ORG_STEP + offset)) throw new RangeError(`credit code index ${index} out of range`);
  let org = '';
  for (let i = 0; i < 9; i++) {
    org = CODE_CHARS[k % 31]! + org;
    k = Math.floor(k / 31);
  }
  const first17 = `91${region}${org}`;
  return first17 + creditCodeCheckChar(first17);
}

export interface CustomerIdentity {
  name: string;
  taxId: string | null;
  /** The customer's key as the domain folds it. */
  key: string;
}

/** A customer: most with a tax id, some known by name only, a few foreign-named firms. */
export function customerIdentity(index: number, rng: Prng, offsets: { name: number; code: number }): CustomerIdentity & { core: string } {
  const suffix = rng.weighted({ 有限公司: 80, 股份有限公司: 12, 集团有限公司: 8 });
  const company = chineseCompany(index, offsets.name, suffix);
  const withTaxId = rng.chance(0.8);
  const taxId = withTaxId ? creditCode(index, offsets.code, company.city[2]) : null;
  const english = withTaxId && rng.chance(0.12);
  const name = english ? `${company.city[1]} ${rng.pick(EN_FIRST)} ${rng.pick(EN_TRADE)} ${rng.pick(EN_SUFFIX)}` : company.name;
  return { name, taxId, key: customerKeyOf({ name, taxId }).key, core: company.core };
}

/** Another spelling of the same customer, as a second claimant might type it; same key, asserted. */
export function otherSpelling(customer: CustomerIdentity & { core: string }, rng: Prng): { name: string; taxId: string | null } {
  const names = [customer.core, `${customer.core}有限责任公司`, `${customer.core} 有限公司`, `${customer.core}（集团）`];
  const name = rng.pick(names);
  const taxId = customer.taxId === null ? null : rng.chance(0.5) ? customer.taxId.toLowerCase() : `${customer.taxId.slice(0, 8)} ${customer.taxId.slice(8)}`;
  const variant = { name, taxId };
  const key = customerKeyOf(variant).key;
  if (key !== customer.key) throw new Error(`demo: the spelling "${name}" folds to ${key}, not to ${customer.key}`);
  return variant;
}

export function partnerName(index: number, offset: number): string {
  const company = chineseCompany(index, offset + 7, '有限公司');
  const trade = PARTNER_TRADES[index % PARTNER_TRADES.length]!;
  return `${company.city[0]}${company.core.slice(2, 4)}${trade}有限公司`;
}
