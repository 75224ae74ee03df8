--[[
quarto_compat.lua: the subset of Quarto's cross-reference and callout syntax that the
report uses, for rendering with plain pandoc when Quarto is not installed.

Documented Quarto syntax handled here (https://quarto.org/docs/authoring/cross-references.html):
  * figures   ![Caption](file.png){#fig-x}   or a div  ::: {#fig-x} ... last paragraph = caption :::
  * tables    a table with caption  ": Caption {#tbl-x}"   or a div  ::: {#tbl-x} ... :::
  * equations $$ ... $$ {#eq-x}
  * sections  ## Title {#sec-x}   (needs number-sections, as in Quarto)
  * references @fig-x, [@fig-x], -@fig-x (number only), mixed with citations [@fig-x; @key]
  * callouts  ::: {.callout-note} with an optional "## Title" first or title="..."
Options read from metadata: number-sections, crossref.{fig,tbl,eq,sec}-prefix,
crossref.{fig,tbl}-title, crossref.title-delim (Quarto's names and defaults).

Figures and tables are numbered in document order; captions get "Figure N:" / "Table N:";
references become links "Figure N" (non-breaking space, like Quarto). A reference to an
unknown label is an error, so pandoc fails instead of printing "?@fig-x". As in Quarto,
the bibliography goes under an unnumbered "References" heading at the end unless the
document has a ::: {#refs} div. In Typst output figure numbering is switched off, since
captions carry their numbers already.
Must run before --citeproc so that citeproc only sees bibliography keys.
]]

local stringify = pandoc.utils.stringify
local NBSP = '\u{00A0}'

local KINDS = { fig = true, tbl = true, eq = true, sec = true }
local CALLOUT_TYPES = { note = 'Note', tip = 'Tip', warning = 'Warning',
                        important = 'Important', caution = 'Caution' }
local CALLOUT_COLOURS = { note = '#0072b2', tip = '#009e73', warning = '#e69f00',
                          important = '#d55e00', caution = '#cc79a7' }

local opts = {}      -- options from metadata
local labels = {}    -- label id -> { kind = 'fig', num = '1' } (num nil: unnumbered section)
local counters = { fig = 0, tbl = 0, eq = 0 }
local used_callouts = false
local has_citations = false  -- bibliography citations seen (not cross-references)
local top_level = 1          -- smallest heading level in the document

local function is_typst() return FORMAT:match('typst') ~= nil end
local function is_html() return FORMAT:match('html') ~= nil end

--- Kind of a cross-reference label ("fig", "tbl", ...) or nil.
local function label_kind(id)
  local k = id and id:match('^(%a+)%-.')
  if k and KINDS[k] then return k end
  return nil
end

--- Read Quarto's crossref options, with Quarto's defaults.
local function read_options(meta)
  local cr = meta.crossref or {}
  local function opt(key, default)
    local v = cr[key]
    if v == nil then return default end
    return stringify(v)
  end
  opts.number_sections = meta['number-sections'] == true
    or (meta['number-sections'] ~= nil and stringify(meta['number-sections']) == 'true')
  opts.ref = { fig = opt('fig-prefix', 'Figure'), tbl = opt('tbl-prefix', 'Table'),
               eq = opt('eq-prefix', 'Equation'), sec = opt('sec-prefix', 'Section') }
  opts.title = { fig = opt('fig-title', 'Figure'), tbl = opt('tbl-title', 'Table') }
  opts.delim = opt('title-delim', ':')
end

--- Record a label, refusing duplicates (Quarto would silently pick one).
local function register(id, kind, num)
  if labels[id] then error('duplicate cross-reference label #' .. id) end
  labels[id] = { kind = kind, num = num }
end

--- Next number of a float kind, registered under `id`.
local function next_number(id, kind)
  counters[kind] = counters[kind] + 1
  local num = tostring(counters[kind])
  register(id, kind, num)
  return num
end

--- Prefix a caption (a pandoc Caption) with "Figure N:" in place.
local function prefix_caption(caption, kind, num)
  local head = pandoc.Inlines({ pandoc.Str(opts.title[kind] .. NBSP .. num .. opts.delim) })
  local long = caption.long
  if #long == 0 then
    caption.long = pandoc.Blocks({ pandoc.Plain(head) })
    return caption
  end
  local first = long[1]
  if first.t == 'Plain' or first.t == 'Para' then
    head:insert(pandoc.Space())
    head:extend(first.content)
    first.content = head
  else
    long:insert(1, pandoc.Plain(head))
  end
  return caption
end

--- Turn a callout div into a titled box (HTML classes styled by CALLOUT_CSS).
local function callout(div)
  local ctype
  for _, c in ipairs(div.classes) do
    ctype = ctype or c:match('^callout%-(%a+)$')
  end
  if not ctype or not CALLOUT_TYPES[ctype] then return nil end
  used_callouts = true
  local body = div.content
  local title
  if #body > 0 and body[1].t == 'Header' then
    title = body[1].content
    body = pandoc.Blocks({ table.unpack(body, 2) })
  elseif div.attributes.title then
    title = pandoc.Inlines({ pandoc.Str(div.attributes.title) })
  else
    title = pandoc.Inlines({ pandoc.Str(CALLOUT_TYPES[ctype]) })
  end
  local head = pandoc.Div({ pandoc.Para({ pandoc.Strong(title) }) }, { class = 'callout-title' })
  local inner = pandoc.Div(body, { class = 'callout-body' })
  if is_typst() then
    -- a box with a coloured left rule, as in the HTML (the colours of publication.css)
    local open = '#block(width: 100%, inset: (x: 10pt, y: 6pt), fill: luma(248), stroke: (left: 3pt + rgb("'
      .. (CALLOUT_COLOURS[ctype] or '#0072b2') .. '")), breakable: true)['
    return pandoc.Div({ pandoc.RawBlock('typst', open), head, inner, pandoc.RawBlock('typst', ']') },
                      pandoc.Attr(div.identifier, { 'callout', 'callout-' .. ctype }))
  end
  return pandoc.Div({ head, inner }, pandoc.Attr(div.identifier, { 'callout', 'callout-' .. ctype }))
end

--- Smallest heading level in the document (pandoc numbers sections from it).
local function min_heading_level(blocks)
  local min = 6
  blocks:walk({ Header = function(h) if h.level < min then min = h.level end end })
  return min
end

--- A section-numbering closure: returns the number string of the next header.
local function section_numberer(base)
  local counts = { 0, 0, 0, 0, 0, 0 }
  return function(level)
    counts[level] = counts[level] + 1
    for l = level + 1, 6 do counts[l] = 0 end
    local parts = {}
    for l = base, level do parts[#parts + 1] = tostring(counts[l]) end
    return table.concat(parts, '.')
  end
end

--- Number a header (if number-sections) and register a #sec- label.
local function number_header(h, numberer)
  local num
  if opts.number_sections and not h.classes:includes('unnumbered') then
    num = numberer(h.level)
    local content = pandoc.Inlines({ pandoc.Span({ pandoc.Str(num) }, { class = 'header-section-number' }),
                                     pandoc.Space() })
    content:extend(h.content)
    h.content = content
    h.attributes['number'] = num
  end
  if label_kind(h.identifier) == 'sec' then register(h.identifier, 'sec', num) end
  return h
end

--- Quarto's tbl-colwidths="[a, b, ...]" attribute on a table: relative column widths (pandoc,
--- run with a wide --columns, would otherwise give every column an automatic width).
local function apply_colwidths(tbl)
  local spec = tbl.attr and tbl.attr.attributes['tbl-colwidths']
  if not spec then return end
  local widths, total = {}, 0
  for n in spec:gmatch('[%d%.]+') do
    widths[#widths + 1] = tonumber(n)
    total = total + tonumber(n)
  end
  if #widths ~= #tbl.colspecs or total <= 0 then
    error('tbl-colwidths of table ' .. tbl.identifier .. ' gives ' .. #widths .. ' widths for '
          .. #tbl.colspecs .. ' columns')
  end
  for i, colspec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { colspec[1], widths[i] / total }
  end
  tbl.attr.attributes['tbl-colwidths'] = nil
end

--- ::: {#fig-x} / ::: {#tbl-x} divs: last paragraph is the caption (Quarto's div syntax).
local function float_div(div)
  local kind = label_kind(div.identifier)
  if kind ~= 'fig' and kind ~= 'tbl' then return nil end
  local blocks = div.content
  local last = blocks[#blocks]
  local caption = { long = pandoc.Blocks({}) }
  if #blocks > 1 and last and last.t == 'Para' then
    caption.long = pandoc.Blocks({ pandoc.Plain(last.content) })
    blocks = pandoc.Blocks({ table.unpack(blocks, 1, #blocks - 1) })
  end
  local id = div.identifier
  local num = next_number(id, kind)
  if kind == 'tbl' and #blocks == 1 and blocks[1].t == 'Table' then
    local tbl = blocks[1]
    apply_colwidths(tbl)
    tbl.identifier = id
    if #caption.long > 0 then tbl.caption = caption end
    prefix_caption(tbl.caption, kind, num)
    return tbl, false
  end
  local fig = pandoc.Figure(blocks, caption, pandoc.Attr(id, div.classes, div.attributes))
  prefix_caption(fig.caption, kind, num)
  return fig, false
end

--- "$$ ... $$ {#eq-x}" inside a paragraph: number the equation, keep an anchor.
local function number_equations(inlines)
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    local j = i + 1
    while inlines[j] and (inlines[j].t == 'Space' or inlines[j].t == 'SoftBreak') do j = j + 1 end
    local id = el.t == 'Math' and el.mathtype == 'DisplayMath' and inlines[j]
      and inlines[j].t == 'Str' and inlines[j].text:match('^{#(eq%-[^}%s]+)}$')
    if id then
      local num = next_number(id, 'eq')
      local math = pandoc.Math('DisplayMath', el.text .. ' \\qquad(' .. num .. ')')
      out:insert(pandoc.Span({ math }, { id = id, class = 'quarto-equation' }))
      i = j + 1
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

--- First pass: callouts, floats, equations and sections get their numbers, in order.
local function number_pass(blocks)
  top_level = min_heading_level(blocks)
  local numberer = section_numberer(top_level)
  local function numbered_float(el)
    local kind = label_kind(el.identifier)
    if el.t == 'Table' then apply_colwidths(el) end
    if kind == 'fig' or kind == 'tbl' then
      prefix_caption(el.caption, kind, next_number(el.identifier, kind))
    end
    return el
  end
  return blocks:walk({
    traverse = 'topdown',
    Div = function(div) return callout(div) or float_div(div) end,
    Header = function(h) return number_header(h, numberer) end,
    Figure = numbered_float,
    Table = numbered_float,
    Para = function(p) p.content = number_equations(p.content); return p end,
    Plain = function(p) p.content = number_equations(p.content); return p end,
  })
end

--- The inlines that replace one cross-reference citation.
local function reference(c)
  local target = labels[c.id]
  if not target then error('unresolved cross-reference @' .. c.id .. ' (no element has this label)') end
  if not target.num then
    error('cross-reference @' .. c.id .. ' points to an unnumbered section; set number-sections: true')
  end
  local text = target.num
  if c.mode ~= 'SuppressAuthor' then text = opts.ref[target.kind] .. NBSP .. text end
  local out = pandoc.Inlines({})
  if #c.prefix > 0 then out:extend(c.prefix); out:insert(pandoc.Space()) end
  out:insert(pandoc.Link({ pandoc.Str(text) }, '#' .. c.id, '', { class = 'quarto-xref' }))
  out:extend(c.suffix)
  return out
end

--- Second pass: replace @fig-x etc.; leave bibliography citations to citeproc.
local function refs_pass(blocks)
  return blocks:walk({
    Cite = function(cite)
      local refs, others = pandoc.Inlines({}), {}
      for _, c in ipairs(cite.citations) do
        if label_kind(c.id) then
          if #refs > 0 then refs:extend({ pandoc.Str(','), pandoc.Space() }) end
          refs:extend(reference(c))
        else
          others[#others + 1] = c
        end
      end
      if #others > 0 then has_citations = true end
      if #refs == 0 then return nil end
      if #others > 0 then
        refs:insert(pandoc.Space())
        refs:insert(pandoc.Cite(pandoc.Inlines({ pandoc.Str('') }), others))
      end
      return refs
    end,
  })
end

local CALLOUT_CSS = [[
<style>
.callout { margin: 1em 0; border: 1px solid #dee2e6; border-left: 5px solid #0d6efd;
  border-radius: 4px; padding: 0 1em; }
.callout-title p { margin: 0.5em 0; }
.callout-tip { border-left-color: #198754; } .callout-warning { border-left-color: #ffc107; }
.callout-important { border-left-color: #dc3545; } .callout-caution { border-left-color: #fd7e14; }
</style>
]]

--- Add a raw block to header-includes (keeps any the document already has).
local function add_header_include(meta, format, text)
  local hi = meta['header-includes']
  if hi == nil then
    hi = pandoc.List({})
  elseif pandoc.utils.type(hi) ~= 'List' then
    hi = pandoc.List({ hi })
  end
  hi:insert(pandoc.MetaBlocks({ pandoc.RawBlock(format, text) }))
  meta['header-includes'] = hi
end

--- Quarto puts the bibliography under a "References" heading at the end; so do we,
--- at the document's top heading level, unless the author placed a ::: {#refs} div.
local function add_references_section(doc)
  local placed = false
  doc.blocks:walk({ Div = function(d) if d.identifier == 'refs' then placed = true end end })
  if placed or not has_citations or doc.meta['reference-section-title'] ~= nil
      or doc.meta['suppress-bibliography'] == true then
    return
  end
  doc.blocks:insert(pandoc.Header(top_level, { pandoc.Str('References') },
                                  pandoc.Attr('references', { 'unnumbered' })))
  doc.blocks:insert(pandoc.Div({}, pandoc.Attr('refs')))
end

function Pandoc(doc)
  read_options(doc.meta)
  doc.blocks = number_pass(doc.blocks)
  doc.blocks = refs_pass(doc.blocks)
  add_references_section(doc)
  if is_html() and used_callouts then add_header_include(doc.meta, 'html', CALLOUT_CSS) end
  if is_typst() then
    -- captions already carry "Figure N:", so Typst must not number figures again
    add_header_include(doc.meta, 'typst', '#set figure(numbering: none)')
  end
  return doc
end
