// AXON v0.7 — the language exactly as the reference parser (axon-ai 0.7.0, parser.py) accepts it,
// including its leniencies. Declaration blocks keep one alternative per known field; any other
// field name takes the reference's skip rule (one token, or one [...] / {...} group).
// Field names and actions that the reference matches by text (domain, raise, until, ...) are
// contextual tokens here; `ident` admits them wherever the reference wants an IDENTIFIER.
grammar Axon;

// Rule contexts keep their children in a compact list (src/Axon.Language/Syntax/AxonRuleContext.cs).
options { contextSuperClass = AxonRuleContext; }



// ───────────────────────────── parser ─────────────────────────────

program : declaration* EOF ;

declaration
    : importDecl | personaDecl | contextDecl | anchorDecl | memoryDecl | toolDecl
    | typeDecl | flowDecl | intentDecl | runStmt | epistemicBlock
    ;

importDecl : IMPORT ident (DOT ident)* (DOT? LBRACE ident (COMMA ident)* RBRACE)? ;

personaDecl : PERSONA ident LBRACE personaField* RBRACE ;
personaField
    : DOMAIN COLON LBRACKET STRING (COMMA STRING)* RBRACKET          # personaDomain
    | TONE COLON word                                                 # personaTone
    | CONFIDENCE_THRESHOLD COLON FLOAT                                # personaConfidence
    | CITE_SOURCES COLON BOOL                                         # personaCite
    | REFUSE_IF COLON LBRACKET word (COMMA word)* RBRACKET            # personaRefuse
    | LANGUAGE COLON STRING                                           # personaLanguage
    | DESCRIPTION COLON STRING                                        # personaDescription
    | ~(DOMAIN | TONE | CONFIDENCE_THRESHOLD | CITE_SOURCES | REFUSE_IF | LANGUAGE | DESCRIPTION | RBRACE)
      COLON skipValue                                                 # personaUnknown
    ;

contextDecl : CONTEXT ident LBRACE contextField* RBRACE ;
contextField
    : MEMORY COLON word                                               # contextMemory
    | LANGUAGE COLON STRING                                           # contextLanguage
    | DEPTH COLON word                                                # contextDepth
    | MAX_TOKENS COLON INTEGER                                        # contextMaxTokens
    | TEMPERATURE COLON FLOAT                                         # contextTemperature
    | CITE_SOURCES COLON BOOL                                         # contextCite
    | ~(MEMORY | LANGUAGE | DEPTH | MAX_TOKENS | TEMPERATURE | CITE_SOURCES | RBRACE)
      COLON skipValue                                                 # contextUnknown
    ;

anchorDecl : ANCHOR ident LBRACE anchorField* RBRACE ;
anchorField
    : REQUIRE COLON word                                              # anchorRequire
    | REJECT COLON LBRACKET word (COMMA word)* RBRACKET               # anchorReject
    | ENFORCE COLON word                                              # anchorEnforce
    | CONFIDENCE_FLOOR COLON FLOAT                                    # anchorFloor
    | UNKNOWN_RESPONSE COLON STRING                                   # anchorUnknownResponse
    | ON_VIOLATION COLON violationAction                              # anchorOnViolation
    | ~(REQUIRE | REJECT | ENFORCE | CONFIDENCE_FLOOR | UNKNOWN_RESPONSE | ON_VIOLATION | RBRACE)
      COLON skipValue                                                 # anchorUnknown
    ;
violationAction
    : RAISE ident                                                     # violationRaise
    | (WARN | LOG | ESCALATE)                                         # violationSimple
    | FALLBACK LPAREN STRING RPAREN                                   # violationFallback
    | ~(RAISE | WARN | LOG | ESCALATE | FALLBACK)                     # violationOther
    ;

memoryDecl : MEMORY ident LBRACE memoryField* RBRACE ;
memoryField
    : STORE COLON word                                                # memoryStore
    | BACKEND COLON word                                              # memoryBackend
    | RETRIEVAL COLON word                                            # memoryRetrieval
    | DECAY COLON (DURATION | word)                                   # memoryDecay
    | ~(STORE | BACKEND | RETRIEVAL | DECAY | RBRACE) COLON skipValue # memoryUnknown
    ;

toolDecl : TOOL ident LBRACE toolField* RBRACE ;
toolField
    : PROVIDER COLON word                                             # toolProvider
    | MAX_RESULTS COLON INTEGER                                       # toolMaxResults
    | FILTER COLON word (LPAREN (~RPAREN)* RPAREN)?                   # toolFilter
    | TIMEOUT COLON DURATION                                          # toolTimeout
    | RUNTIME COLON word                                              # toolRuntime
    | SANDBOX COLON BOOL                                              # toolSandbox
    | ~(PROVIDER | MAX_RESULTS | FILTER | TIMEOUT | RUNTIME | SANDBOX | RBRACE)
      COLON skipValue                                                 # toolUnknown
    ;

typeDecl
    : TYPE ident (LPAREN number DOTDOT number RPAREN)?
      (WHERE whereToken*)?
      (LBRACE typeField* RBRACE)?
    ;
whereToken : ~(LBRACE | PERSONA | CONTEXT | ANCHOR | MEMORY | TOOL | TYPE | FLOW | INTENT | RUN | IMPORT) ;
typeField : ident COLON typeExpr COMMA? ;
typeExpr : ident (LT ident GT)? QUESTION? ;
number : INTEGER | FLOAT ;

intentDecl : INTENT ident LBRACE intentField* RBRACE ;
intentField
    : GIVEN COLON ident                                               # intentGiven
    | ASK COLON STRING                                                # intentAsk
    | OUTPUT COLON typeExpr                                           # intentOutput
    | CONFIDENCE_FLOOR COLON FLOAT                                    # intentFloor
    | ~(GIVEN | ASK | OUTPUT | CONFIDENCE_FLOOR | RBRACE) COLON skipValue # intentUnknown
    ;

flowDecl : FLOW ident LPAREN (param (COMMA param)*)? RPAREN (ARROW typeExpr)? LBRACE flowStep* RBRACE ;
param : ident COLON typeExpr ;

flowStep
    : stepDecl | probe | reason | validate | refine | weave | useTool
    | remember | recall | ifStep | parBlock | hibernate
    ;

stepDecl : STEP ident LBRACE stepItem* RBRACE ;
stepItem
    : GIVEN COLON refExpr                                             # stepGiven
    | ASK COLON STRING                                                # stepAsk
    | useTool                                                         # stepUse
    | probe                                                           # stepProbe
    | reason                                                          # stepReason
    | weave                                                           # stepWeave
    | OUTPUT COLON ident                                              # stepOutput
    | CONFIDENCE_FLOOR COLON FLOAT                                    # stepFloor
    ;
refExpr : dotted | LBRACKET dotted (COMMA dotted)* RBRACKET ;
dotted : ident (DOT word)* ;

probe : PROBE ident FOR LBRACKET word (COMMA word)* RBRACKET ;

reason : REASON (ABOUT ident | ident)? LBRACE reasonField* RBRACE ;
reasonField
    : GIVEN COLON refExpr                                             # reasonGiven
    | ABOUT COLON STRING                                              # reasonAbout
    | ASK COLON STRING                                                # reasonAsk
    | DEPTH COLON INTEGER                                             # reasonDepth
    | SHOW_WORK COLON BOOL                                            # reasonShowWork
    | CHAIN_OF_THOUGHT COLON BOOL                                     # reasonChain
    | OUTPUT COLON ident                                              # reasonOutput
    | ~(GIVEN | ABOUT | ASK | DEPTH | SHOW_WORK | CHAIN_OF_THOUGHT | OUTPUT | RBRACE)
      COLON skipValue                                                 # reasonUnknown
    ;

validate : VALIDATE dotted AGAINST ident LBRACE validateRule* RBRACE ;
validateRule : IF word (cmpOp anyToken)? ARROW ruleAction ;
ruleAction
    : REFINE (LPAREN (word COLON anyToken COMMA?)* RPAREN)?           # ruleRefine
    | RAISE ident                                                     # ruleRaise
    | WARN STRING                                                     # ruleWarn
    | PASS                                                            # rulePass
    | ~(REFINE | RAISE | WARN | PASS)                                 # ruleOther
    ;

refine : REFINE LBRACE refineField* RBRACE ;
refineField
    : MAX_ATTEMPTS COLON INTEGER                                      # refineMaxAttempts
    | PASS_FAILURE_CONTEXT COLON BOOL                                 # refinePassContext
    | BACKOFF COLON word                                              # refineBackoff
    | ON_EXHAUSTION COLON violationAction                             # refineOnExhaustion
    | ~(MAX_ATTEMPTS | PASS_FAILURE_CONTEXT | BACKOFF | ON_EXHAUSTION | RBRACE)
      COLON skipValue                                                 # refineUnknown
    ;

weave : WEAVE LBRACKET dotted (COMMA dotted)* RBRACKET INTO ident (LBRACE weaveField* RBRACE)? ;
weaveField
    : FORMAT COLON ident                                              # weaveFormat
    | PRIORITY COLON LBRACKET word (COMMA word)* RBRACKET             # weavePriority
    | STYLE COLON STRING                                              # weaveStyle
    | ~(FORMAT | PRIORITY | STYLE | RBRACE) COLON skipValue           # weaveUnknown
    ;

useTool : USE ident LPAREN word? RPAREN ;
remember : REMEMBER LPAREN ident RPAREN ARROW ident ;
recall : RECALL LPAREN (STRING | ident) RPAREN FROM ident ;
ifStep : IF word (cmpOp anyToken)? ARROW flowStep (ELSE ARROW flowStep)? ;
parBlock : PAR LBRACE flowStep* RBRACE ;
hibernate : HIBERNATE (UNTIL STRING)? (TIMEOUT DURATION)? ;
cmpOp : LT | GT | LTE | GTE | EQ | NEQ ;

runStmt : RUN ident LPAREN runArg* RPAREN runModifier* ;
runArg : runArgValue COMMA? ;
runArgValue
    : STRING                                                          # argLiteral
    | INTEGER                                                         # argLiteral
    | FLOAT                                                           # argLiteral
    | ident (DOT word)?                                               # argName
    | ~(RPAREN | COMMA | STRING | INTEGER | FLOAT | IDENT | DOMAIN | TONE | CONFIDENCE_THRESHOLD
        | CITE_SOURCES | REFUSE_IF | LANGUAGE | DESCRIPTION | DEPTH | MAX_TOKENS | TEMPERATURE
        | REQUIRE | REJECT | ENFORCE | CONFIDENCE_FLOOR | UNKNOWN_RESPONSE | ON_VIOLATION | RAISE
        | WARN | LOG | ESCALATE | FALLBACK | STORE | BACKEND | RETRIEVAL | DECAY | PROVIDER
        | MAX_RESULTS | FILTER | TIMEOUT | RUNTIME | SANDBOX | SHOW_WORK | CHAIN_OF_THOUGHT | PASS
        | MAX_ATTEMPTS | PASS_FAILURE_CONTEXT | BACKOFF | ON_EXHAUSTION | FORMAT | PRIORITY | STYLE
        | RETRY | UNTIL)
      (COLON anyToken)?                                               # argOther
    ;
runModifier
    : AS ident                                                        # runAs
    | WITHIN ident                                                    # runWithin
    | CONSTRAINED_BY LBRACKET word (COMMA word)* RBRACKET             # runConstrained
    | ON_FAILURE COLON failureStrategy                                # runOnFailure
    | OUTPUT_TO COLON STRING                                          # runOutputTo
    | EFFORT COLON word                                               # runEffort
    ;
failureStrategy
    : RETRY (LPAREN (word COLON word COMMA?)* RPAREN)?                # failureRetry
    | RAISE ident                                                     # failureRaise
    | ~(RETRY | RAISE)                                                # failureOther
    ;

epistemicBlock : (KNOW | BELIEVE | SPECULATE | DOUBT) LBRACE declaration* RBRACE ;

// One token, or one bracketed/braced group (the reference's rule for unknown fields).
skipValue : skipBrackets | skipBraces | ~(LBRACKET | LBRACE) ;
skipBrackets : LBRACKET (skipBrackets | ~(LBRACKET | RBRACKET))* RBRACKET ;
skipBraces : LBRACE (skipBraces | ~(LBRACE | RBRACE))* RBRACE ;

anyToken : . ;

// Any token the reference takes as an "identifier or keyword value" (flat: one rule context per value).
word
    : IDENT | DOMAIN | TONE | CONFIDENCE_THRESHOLD | CITE_SOURCES | REFUSE_IF | LANGUAGE | DESCRIPTION
    | DEPTH | MAX_TOKENS | TEMPERATURE | REQUIRE | REJECT | ENFORCE | CONFIDENCE_FLOOR | UNKNOWN_RESPONSE
    | ON_VIOLATION | RAISE | WARN | LOG | ESCALATE | FALLBACK | STORE | BACKEND | RETRIEVAL | DECAY
    | PROVIDER | MAX_RESULTS | FILTER | TIMEOUT | RUNTIME | SANDBOX | SHOW_WORK | CHAIN_OF_THOUGHT
    | PASS | MAX_ATTEMPTS | PASS_FAILURE_CONTEXT | BACKOFF | ON_EXHAUSTION | FORMAT | PRIORITY | STYLE
    | RETRY | UNTIL
    | PERSONA | CONTEXT | INTENT | FLOW | REASON | ANCHOR | VALIDATE | REFINE | MEMORY | TOOL | PROBE
    | WEAVE | STEP | TYPE | IMPORT | RUN | IF | ELSE | USE | REMEMBER | RECALL | KNOW | BELIEVE
    | SPECULATE | DOUBT | PAR | CONSOLIDATE | HIBERNATE | AS | WITHIN | CONSTRAINED_BY | ON_FAILURE
    | OUTPUT_TO | EFFORT | FOR | INTO | AGAINST | ABOUT | FROM | WHERE | GIVEN | ASK | OUTPUT
    | BOOL | STRING | INTEGER | FLOAT
    ;

ident
    : IDENT | DOMAIN | TONE | CONFIDENCE_THRESHOLD | CITE_SOURCES | REFUSE_IF | LANGUAGE | DESCRIPTION
    | DEPTH | MAX_TOKENS | TEMPERATURE | REQUIRE | REJECT | ENFORCE | CONFIDENCE_FLOOR | UNKNOWN_RESPONSE
    | ON_VIOLATION | RAISE | WARN | LOG | ESCALATE | FALLBACK | STORE | BACKEND | RETRIEVAL | DECAY
    | PROVIDER | MAX_RESULTS | FILTER | TIMEOUT | RUNTIME | SANDBOX | SHOW_WORK | CHAIN_OF_THOUGHT
    | PASS | MAX_ATTEMPTS | PASS_FAILURE_CONTEXT | BACKOFF | ON_EXHAUSTION | FORMAT | PRIORITY | STYLE
    | RETRY | UNTIL
    ;


// ───────────────────────────── lexer ─────────────────────────────

// Keywords (the reference's 43, matched case-sensitively).
PERSONA : 'persona' ; CONTEXT : 'context' ; INTENT : 'intent' ; FLOW : 'flow' ; REASON : 'reason' ;
ANCHOR : 'anchor' ; VALIDATE : 'validate' ; REFINE : 'refine' ; MEMORY : 'memory' ; TOOL : 'tool' ;
PROBE : 'probe' ; WEAVE : 'weave' ; STEP : 'step' ; TYPE : 'type' ; IMPORT : 'import' ; RUN : 'run' ;
IF : 'if' ; ELSE : 'else' ; USE : 'use' ; REMEMBER : 'remember' ; RECALL : 'recall' ;
KNOW : 'know' ; BELIEVE : 'believe' ; SPECULATE : 'speculate' ; DOUBT : 'doubt' ;
PAR : 'par' ; CONSOLIDATE : 'consolidate' ; HIBERNATE : 'hibernate' ;
AS : 'as' ; WITHIN : 'within' ; CONSTRAINED_BY : 'constrained_by' ; ON_FAILURE : 'on_failure' ;
OUTPUT_TO : 'output_to' ; EFFORT : 'effort' ;
FOR : 'for' ; INTO : 'into' ; AGAINST : 'against' ; ABOUT : 'about' ; FROM : 'from' ; WHERE : 'where' ;
GIVEN : 'given' ; ASK : 'ask' ; OUTPUT : 'output' ;
BOOL : 'true' | 'false' ;

// Contextual words: identifiers to the reference, matched by text where they mean something.
DOMAIN : 'domain' ; TONE : 'tone' ; CONFIDENCE_THRESHOLD : 'confidence_threshold' ;
CITE_SOURCES : 'cite_sources' ; REFUSE_IF : 'refuse_if' ; LANGUAGE : 'language' ;
DESCRIPTION : 'description' ; DEPTH : 'depth' ; MAX_TOKENS : 'max_tokens' ; TEMPERATURE : 'temperature' ;
REQUIRE : 'require' ; REJECT : 'reject' ; ENFORCE : 'enforce' ; CONFIDENCE_FLOOR : 'confidence_floor' ;
UNKNOWN_RESPONSE : 'unknown_response' ; ON_VIOLATION : 'on_violation' ;
RAISE : 'raise' ; WARN : 'warn' ; LOG : 'log' ; ESCALATE : 'escalate' ; FALLBACK : 'fallback' ;
STORE : 'store' ; BACKEND : 'backend' ; RETRIEVAL : 'retrieval' ; DECAY : 'decay' ;
PROVIDER : 'provider' ; MAX_RESULTS : 'max_results' ; FILTER : 'filter' ; TIMEOUT : 'timeout' ;
RUNTIME : 'runtime' ; SANDBOX : 'sandbox' ; SHOW_WORK : 'show_work' ; CHAIN_OF_THOUGHT : 'chain_of_thought' ;
PASS : 'pass' ; MAX_ATTEMPTS : 'max_attempts' ; PASS_FAILURE_CONTEXT : 'pass_failure_context' ;
BACKOFF : 'backoff' ; ON_EXHAUSTION : 'on_exhaustion' ; FORMAT : 'format' ; PRIORITY : 'priority' ;
STYLE : 'style' ; RETRY : 'retry' ; UNTIL : 'until' ;

// A number immediately followed by s/ms/m/h/d. Where more letters follow (10min), the token pass
// splits it into a number and an identifier, as the reference does; no lexer predicate, so the DFA caches.
DURATION : NUM ('ms' | 's' | 'm' | 'h' | 'd') ;
FLOAT : '-'? DIGIT+ '.' DIGIT+ ;
INTEGER : '-'? DIGIT+ ;
STRING : '"' (~["\\\n] | '\\' .)* '"' ;
// A string without its closing quote; the token pass reports it and repairs it to a STRING.
UNTERMINATED_STRING : '"' (~["\\\n] | '\\' .)* '\\'? ;
IDENT : ID_START ID_PART* ;

LBRACE : '{' ; RBRACE : '}' ; LPAREN : '(' ; RPAREN : ')' ; LBRACKET : '[' ; RBRACKET : ']' ;
COLON : ':' ; COMMA : ',' ; DOTDOT : '..' ; DOT : '.' ; QUESTION : '?' ; ARROW : '->' ;
LTE : '<=' ; GTE : '>=' ; EQ : '==' ; NEQ : '!=' ; LT : '<' ; GT : '>' ;
// A lone `=` or `!`: reported with the reference's "Did you mean" message, then read as ==/!=.
BAD_EQ : '=' ;
BAD_BANG : '!' ;

LINE_COMMENT : '//' ~[\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// `/*` never closed: everything up to end of file (a terminated comment is always longer as BLOCK_COMMENT).
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* ;
WS : [ \t\r\n]+ -> skip ;
// Anything else (including other whitespace such as a BOM or NBSP) is an unexpected character.
BAD_CHAR : . ;

fragment NUM : DIGIT+ ('.' DIGIT+)? | '-' DIGIT+ ('.' DIGIT+)? ;
fragment DIGIT : [\p{Nd}] ;
fragment ID_START : [\p{L}_] ;
fragment ID_PART : [\p{L}\p{N}_] ;
